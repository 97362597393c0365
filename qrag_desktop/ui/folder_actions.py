"""What the person does to the knowledge folders in the window (add, remove, index again, resume an
incomplete one) and the folder watcher's failures: each change goes to the core's
``FolderRegistry``, the indexing follows. The Add-folder dialog opens where the last one was chosen."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from qrag_desktop.core.paths import is_under, normalise
from qrag_desktop.ui.i18n import window_tr as tr

if TYPE_CHECKING:
    from qrag_desktop.ui.main_window import MainWindow


class FolderActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        last = window.window_state.value("folders/last_chosen")
        if isinstance(last, str) and os.path.isdir(last):
            window.folders_panel.start_dir = last
        window.folders.subscribe(self._show_scope_folders)
        self._show_scope_folders()

    def _show_scope_folders(self) -> None:
        self.window.scope_selector.set_folders(self.window.folders.paths())

    @Slot(list)
    def add(self, folders: list[str]) -> None:
        if folders:
            self.window.window_state.setValue("folders/last_chosen", folders[-1])
        registry = self.window.folders
        merged: list[str] = []
        for folder in folders:
            outer = [p for p in registry.paths() if p != normalise(folder) and is_under(normalise(folder), p)]
            if outer:
                text = tr("%1 is already in the knowledge base, inside %2.")
                self.window.statusBar().showMessage(text.replace("%1", folder).replace("%2", outer[0]), 10000)
                continue
            inner = registry.contained(folder)
            if inner and normalise(folder) not in registry.paths():
                names = "\n".join(inner)
                if not self.window.confirm(
                    tr("Merge folders"),
                    tr(
                        "%1 contains folders already in the knowledge base:\n%2\n\nMerge them into it? "
                        "Their files stay indexed; the larger folder takes their place in the list."
                    )
                    .replace("%1", folder)
                    .replace("%2", names),
                ):
                    continue
                for path in inner:  # their rows stay in the index: the parent's run finds them unchanged
                    registry.remove(path)
            merged.append(folder)
        new = registry.add(merged)
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
