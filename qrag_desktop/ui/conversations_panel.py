"""The list of kept conversations: reopen one, start a new one, delete one."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.conversations import Conversation

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ConversationsPanel(QWidget):
    """Signals: ``open_requested(int)``, ``delete_requested(int)``, ``new_requested()``."""

    open_requested = Signal(int)
    delete_requested = Signal(int)
    new_requested = Signal()

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
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button.clicked.connect(self._on_delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Conversations"))
        self.new_button.setText(self.tr("New conversation"))
        self.delete_button.setText(self.tr("Delete"))
        self.set_conversations(self._items, self._current)

    def set_conversations(self, items: list[Conversation], current: int | None) -> None:
        self._items, self._current = list(items), current
        self.list.clear()
        for c in items:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.updated_at))
            item = QListWidgetItem(c.title)
            item.setToolTip(
                self.tr("%1 · %2 questions").replace("%1", when).replace("%2", str(c.message_count))
            )
            item.setData(ID_ROLE, c.id)
            self.list.addItem(item)
            if c.id == current:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.delete_button.setEnabled(current is not None)

    def titles(self) -> list[str]:
        return [c.title for c in self._items]

    @Slot(QListWidgetItem)
    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(int(item.data(ID_ROLE)))

    @Slot()
    def _on_delete(self) -> None:
        if self._current is not None:
            self.delete_requested.emit(self._current)
