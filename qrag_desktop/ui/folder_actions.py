"""What the person does to the knowledge folders in the window (add, remove, index again) and the
folder watcher's failures: each change goes to the core's ``FolderRegistry``, the indexing follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from qrag_desktop.ui.i18n import window_tr as tr

if TYPE_CHECKING:
    from qrag_desktop.ui.main_window import MainWindow


class FolderActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    @Slot(list)
    def add(self, folders: list[str]) -> None:
        new = self.window.folders.add(folders)
        if not new:
            return
        self.watch()
        self.window.tabs.setCurrentWidget(self.window.indexing_view)
        self.window.indexing.start(new)

    @Slot(str)
    def remove(self, path: str, *, confirm: bool = True) -> None:
        if confirm and not self.window.confirm(
            tr("Remove folder"),
            tr(
                "Remove %1 from the knowledge base? Its passages leave the index; the files stay where they are."  # noqa: E501
            ).replace("%1", path),
        ):
            return
        self.window.folders.remove(path)
        self.watch()
        self.window.indexing.remove(path)

    @Slot()
    def reindex_all(self) -> None:
        self.window.tabs.setCurrentWidget(self.window.indexing_view)
        self.window.indexing.start()

    def watch(self) -> None:
        if not self.window.is_shut_down:
            self.window.watcher.watch(self.window.folders.paths())

    @Slot(str)
    def on_watch_failed(self, text: str) -> None:
        message = tr("Cannot watch the folders for changes (%1). Index again after editing files.")
        self.window.statusBar().showMessage(message.replace("%1", text), 15000)


__all__ = ["FolderActions"]
