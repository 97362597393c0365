"""The list of kept conversations: reopen one, start a new one, rename or delete one."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.conversations import Conversation
from qrag_desktop.ui.i18n import TranslatedWidget

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def when_text(timestamp: float, now: float | None = None) -> str:
    """ "Today 14:05", "Yesterday 09:12", else the date and time in the UI language's short form."""
    now = time.time() if now is None else now
    moment = QDateTime.fromSecsSinceEpoch(int(timestamp))
    today = QDateTime.fromSecsSinceEpoch(int(now)).date()
    clock = moment.time().toString("HH:mm")
    if moment.date() == today:
        return QCoreApplication.translate("ConversationsPanel", "Today %1").replace("%1", clock)
    if moment.date() == today.addDays(-1):
        return QCoreApplication.translate("ConversationsPanel", "Yesterday %1").replace("%1", clock)
    return QLocale().toString(moment, QLocale.FormatType.ShortFormat)


class ConversationsPanel(TranslatedWidget):
    """Signals: ``open_requested(int)``, ``delete_requested(int)``, ``new_requested()``,
    ``rename_requested(int, str)``."""

    open_requested = Signal(int)
    delete_requested = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[Conversation] = []
        self._current: int | None = None
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.list = QListWidget()
        self.list.setObjectName("conversations")
        self.list.itemClicked.connect(self._on_clicked)
        self.list.itemActivated.connect(self._on_clicked)
        self.new_button = QPushButton()
        self.delete_button = QPushButton()
        self.rename_button = QPushButton()
        self.rename_button.clicked.connect(self._on_rename)
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button.clicked.connect(self._on_delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.rename_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Conversations"))
        self.new_button.setText(self.tr("New conversation"))
        self.delete_button.setText(self.tr("Delete"))
        self.rename_button.setText(self.tr("Rename…"))
        self.set_conversations(self._items, self._current)

    def set_conversations(self, items: list[Conversation], current: int | None) -> None:
        self._items, self._current = list(items), current
        self.list.clear()
        for c in items:
            # The date under the title: the same question asked twice is two distinct entries.
            item = QListWidgetItem(f"{c.title}\n{when_text(c.updated_at)}")
            item.setToolTip(
                self.tr("%1 · %2 questions")
                .replace("%1", time.strftime("%Y-%m-%d %H:%M", time.localtime(c.updated_at)))
                .replace("%2", str(c.message_count))
            )
            item.setData(ID_ROLE, c.id)
            self.list.addItem(item)
            if c.id == current:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.delete_button.setEnabled(current is not None)
        self.rename_button.setEnabled(current is not None)

    def last_conversation_id(self) -> int | None:
        """The most recently used conversation (the window reopens it at start)."""
        return self._items[0].id if self._items else None

    def rename_current(self, title: str) -> None:
        if self._current is not None and title.strip():
            self.rename_requested.emit(self._current, title.strip())

    @Slot()
    def _on_rename(self) -> None:
        current = next((c for c in self._items if c.id == self._current), None)
        if current is None:
            return
        title, ok = QInputDialog.getText(
            self, self.tr("Rename conversation"), self.tr("Title"), text=current.title
        )
        if ok:
            self.rename_current(title)

    def titles(self) -> list[str]:
        return [c.title for c in self._items]

    @Slot(QListWidgetItem)
    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(int(item.data(ID_ROLE)))

    @Slot()
    def _on_delete(self) -> None:
        if self._current is not None:
            self.delete_requested.emit(self._current)
