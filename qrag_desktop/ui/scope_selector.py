"""Beside the question: ask all folders, one folder, or one file (found by typing part of its name)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSortFilterProxyModel, QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLineEdit, QWidget

from qrag_desktop.core.scope import ALL, Scope
from qrag_desktop.ui.i18n import TranslatedWidget

ALL_FOLDERS, ONE_FOLDER, ONE_FILE = range(3)


class ScopeSelector(TranslatedWidget):
    """Signals: ``scope_changed(object)`` with the new ``core.scope.Scope``.

    ``set_folders`` takes the knowledge folders, ``set_files`` the indexed files (``store.paths()``).
    """

    scope_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scope: Scope = ALL
        self._files: list[str] = []
        self.mode = QComboBox()
        self.mode.addItems(["", "", ""])
        self.folder = QComboBox()
        self.file = QLineEdit()
        self.file.setClearButtonEnabled(True)
        # Search as you type: any part of the path, any case, in a popup under the field.
        self._file_model = QStringListModel(self)
        self._filter = QSortFilterProxyModel(self)
        self._filter.setSourceModel(self._file_model)
        self._filter.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer = QCompleter(self._filter, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.file.setCompleter(self.completer)
        self.file.textEdited.connect(self._filter_files)
        self.completer.activated[str].connect(self._file_chosen)  # type: ignore[index]
        self.file.editingFinished.connect(self._file_typed)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.folder.currentIndexChanged.connect(self._folder_changed)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.folder, 1)
        layout.addWidget(self.file, 1)
        self.retranslate()
        self._mode_changed(ALL_FOLDERS)

    def retranslate(self) -> None:
        self.mode.setItemText(ALL_FOLDERS, self.tr("All folders"))
        self.mode.setItemText(ONE_FOLDER, self.tr("One folder"))
        self.mode.setItemText(ONE_FILE, self.tr("One file"))
        self.mode.setToolTip(self.tr("What the question is asked of"))
        self.file.setPlaceholderText(self.tr("Type part of a file name"))

    # -- public ---------------------------------------------------------------------------------

    def scope(self) -> Scope:
        return self._scope

    def set_folders(self, folders: list[str]) -> None:
        current = self.folder.currentData()
        self.folder.blockSignals(True)
        self.folder.clear()
        for path in folders:
            self.folder.addItem(os.path.basename(path.rstrip("/\\")) or path, path)
            self.folder.setItemData(self.folder.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        index = self.folder.findData(current)
        self.folder.setCurrentIndex(max(0, index))
        self.folder.blockSignals(False)
        if self.mode.currentIndex() == ONE_FOLDER:
            self._folder_changed(self.folder.currentIndex())

    def set_files(self, paths: list[str]) -> None:
        self._files = sorted(paths)
        self._file_model.setStringList(self._files)

    # -- slots ----------------------------------------------------------------------------------

    @Slot(int)
    def _mode_changed(self, mode: int) -> None:
        self.folder.setVisible(mode == ONE_FOLDER)
        self.file.setVisible(mode == ONE_FILE)
        if mode == ONE_FOLDER:
            self._folder_changed(self.folder.currentIndex())
        elif mode == ONE_FILE:
            self._file_typed()
        else:
            self._set(ALL)

    @Slot(int)
    def _folder_changed(self, index: int) -> None:
        path = self.folder.itemData(index) if index >= 0 else None
        self._set(Scope.folder(path) if path else ALL)

    @Slot(str)
    def _filter_files(self, text: str) -> None:
        self._filter.setFilterFixedString(text.strip())

    @Slot(str)
    def _file_chosen(self, path: str) -> None:
        self.file.setText(path)
        self._set(Scope.file(path))

    @Slot()
    def _file_typed(self) -> None:
        """A typed path counts when it names an indexed file, or when exactly one file matches."""
        text = self.file.text().strip()
        if text in self._files:
            self._set(Scope.file(text))
            return
        matches = [p for p in self._files if text and text.casefold() in p.casefold()]
        if len(matches) == 1:
            self.file.setText(matches[0])
            self._set(Scope.file(matches[0]))
        elif not text:
            self._set(ALL)

    def _set(self, scope: Scope) -> None:
        if scope != self._scope:
            self._scope = scope
            self.scope_changed.emit(scope)


__all__ = ["ScopeSelector"]
