"""What the person does to the knowledge folders in the window (add, remove, index again, resume an
incomplete one, merge a folder into a new parent) and the folder watcher's failures: each change
goes to the core's ``FolderRegistry``, the indexing follows."""

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
        window.folders.subscribe(self._show_scope_folders)
        self._show_scope_folders()

    def _show_scope_folders(self) -> None:
        self.window.scope_selector.set_folders(self.window.folders.paths())

    @Slot(list)
    def add(self, folders: list[str]) -> None:
        new = self.window.folders.add(folders)
        if not new:
            return
        self.watch()
        self.window.tabs.setCurrentWidget(self.window.indexing_view)
        self.window.indexing.start(new)

    @Slot(str, list)
    def merge(self, parent: str, held: list[str]) -> None:
        """``parent`` takes the place of the known folders inside it. Their passages stay in the index
        (the parent's run finds their files unchanged; the folder numbers count files by path), and
        the parent is local-only if any of them was."""
        registry = self.window.folders
        local_only = any(registry.is_local_only(p) for p in held)
        for path in held:
            registry.remove(path)
        new = registry.add([parent], local_only=local_only)
        self.watch()
        self.window.tabs.setCurrentWidget(self.window.indexing_view)
        self.window.indexing.start(new or [parent])

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

    @Slot(str)
    def resume(self, path: str) -> None:
        """Go on with a folder a run left incomplete (what is done costs a stat per file)."""
        self.window.tabs.setCurrentWidget(self.window.indexing_view)
        self.window.indexing.start([path])

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
