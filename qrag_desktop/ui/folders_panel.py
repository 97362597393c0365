"""Knowledge folders: what the knowledge base covers, with files, passages and when each was last indexed.

The list is drawn from the core's ``FolderRegistry`` each time (no copy of its own), so a tick
always shows the registry's truth: after a refresh, a run's end or a change from elsewhere.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.folders import FolderEntry, FolderRegistry, FolderStats
from qrag_desktop.ui.i18n import TranslatedWidget

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def folder_overlap(new: str, known: list[str]) -> tuple[str | None, list[str]]:
    """(the known folder that already holds ``new``, the known folders ``new`` would hold)."""
    p = Path(new).expanduser().resolve()
    roots = [(k, Path(k).expanduser().resolve()) for k in known]
    holder = next((k for k, r in roots if _inside(p, r)), None)
    held = [k for k, r in roots if r != p and _inside(r, p)]
    return holder, held


class FoldersPanel(TranslatedWidget):
    """Signals: ``add_requested(list)`` with folder paths, ``remove_requested(str)``,
    ``local_only_changed(str, bool)``, ``reindex_requested()``, ``merge_requested(str, list)``
    (add the folder and drop the listed known folders inside it from the list: their passages stay,
    the new folder covers them), ``resume_requested(str)`` (an incomplete folder was double-clicked)."""

    add_requested = Signal(list)
    merge_requested = Signal(str, list)
    remove_requested = Signal(str)
    local_only_changed = Signal(str, bool)
    reindex_requested = Signal()
    resume_requested = Signal(str)

    COL_FOLDER, COL_FILES, COL_CHUNKS, COL_LAST, COL_LOCAL = range(5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._registry: FolderRegistry | None = None
        self._filling = False
        self._last_dir: str | None = None  # where the Add-folder dialog opens next

        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(5)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        # A long name loses its middle, not its end (the full path is the tooltip); the widths are
        # shared out by _fit_columns so the name keeps its room in a narrow panel.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(20)  # the style's default (about 40 px) would outvote _fit_columns
        self.tree.viewport().installEventFilter(self)
        self._labels: list[str] = []
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("hint")
        self.empty_hint.setWordWrap(True)

        self.add_button = QPushButton()
        self.add_button.setObjectName("primary")
        self.remove_button = QPushButton()
        self.reindex_button = QPushButton()
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self._on_remove)
        self.reindex_button.clicked.connect(self.reindex_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_hint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.reindex_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Share the width out: all columns get their room when it fits; in a narrow panel the headers
        break into lines ("Last / indexed") and the folder name takes what is left, at least up to
        45 % of the width; numbers are never cut."""
        if not self._labels:
            return
        header = self.tree.header()
        stats = (self.COL_FILES, self.COL_CHUNKS, self.COL_LAST, self.COL_LOCAL)
        avail = self.tree.viewport().width()
        name_need = self.tree.sizeHintForColumn(self.COL_FOLDER) + 8
        cells = {c: max(self.tree.sizeHintForColumn(c), 24) for c in stats}

        def widths(wrapped: bool) -> dict[int, int]:
            labels = [t.replace(" ", "\n") if wrapped else t for t in self._labels]
            if labels != [self.tree.headerItem().text(c) for c in range(len(labels))]:
                self.tree.setHeaderLabels(labels)
            return {c: max(cells[c], header.sectionSizeHint(c)) for c in stats}

        natural = widths(wrapped=False)
        if sum(natural.values()) + name_need > avail:
            natural = widths(wrapped=True)
        # The name keeps up to 45 % of the width; for that, the headers give way (cut short, whole in
        # their tooltips) down to what their cells need; past that the panel scrolls sideways.
        name_min = min(name_need, int(avail * 0.45))
        cut = name_min - (avail - sum(natural.values()))
        spare = sum(natural[c] - cells[c] for c in stats)
        shrink = min(1.0, cut / spare) if cut > 0 and spare > 0 else 0.0
        sizes = {c: int(natural[c] - (natural[c] - cells[c]) * shrink) for c in stats}
        for c in stats:
            header.resizeSection(c, sizes[c])
        header.resizeSection(self.COL_FOLDER, max(avail - sum(sizes.values()), name_min))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Knowledge folders"))
        self._labels = [
            self.tr("Folder"),
            self.tr("Files"),
            self.tr("Passages"),
            self.tr("Last indexed"),
            self.tr("Local only"),
        ]
        self.tree.setHeaderLabels(self._labels)
        for col, label in enumerate(self._labels):  # the whole label where a narrow column cuts it
            self.tree.headerItem().setToolTip(col, label)
        self.tree.headerItem().setToolTip(
            self.COL_LOCAL,
            self.tr("Passages from a local-only folder are searched but never sent to the cloud model."),
        )
        self.add_button.setText(self.tr("Add folder…"))
        self.remove_button.setText(self.tr("Remove"))
        self.reindex_button.setText(self.tr("Index again"))
        self.reindex_button.setToolTip(self.tr("Look for new, changed and deleted files in all folders."))
        self.empty_hint.setText(
            self.tr(
                "Add a folder of documents (Markdown, text, PDF, Word, HTML), or drop one on this window."
            )
        )
        self._fill()

    # -- data ---------------------------------------------------------------------------------------
    def show_registry(self, registry: FolderRegistry) -> None:
        """Draw ``registry``'s folders, now and after each of its changes."""
        self._registry = registry
        registry.subscribe(self._fill)
        self._fill()

    def selected_folder(self) -> str | None:
        items = self.tree.selectedItems()
        return str(items[0].data(self.COL_FOLDER, PATH_ROLE)) if items else None

    def item_for(self, path: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(self.COL_FOLDER, PATH_ROLE) == path:
                return item
        return None

    def _fill(self) -> None:
        """Draw the registry's folders: rows are updated in place when the folders are the same (a
        tick changes the registry, which redraws while Qt still handles that row's change)."""
        entries = self._registry.entries() if self._registry is not None else ()
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        same = [i.data(self.COL_FOLDER, PATH_ROLE) if i else None for i in items] == [f.path for f in entries]
        selected = self.selected_folder()
        self._filling = True
        try:
            if not same:
                self.tree.clear()
                items = [QTreeWidgetItem() for _ in entries]
            for item, f in zip(items, entries, strict=True):
                assert item is not None
                if not same:  # in the tree first: a row's button needs its place there
                    self.tree.addTopLevelItem(item)
                    item.setSelected(f.path == selected)
                self._fill_item(item, f)
        finally:
            self._filling = False
        self.empty_hint.setVisible(not entries)
        self._update_buttons()
        self._fit_columns()

    def _fill_item(self, item: QTreeWidgetItem, f: FolderEntry) -> None:
        st = f.stats
        # The name fits the column; the full path is in the tooltip.
        item.setText(self.COL_FOLDER, Path(f.path).name or f.path)
        item.setToolTip(self.COL_FOLDER, f.path)
        item.setData(self.COL_FOLDER, PATH_ROLE, f.path)
        self.tree.removeItemWidget(item, self.COL_LAST)
        if f.missing:  # the Remove is where the eye is: on the row that says the folder is gone
            button = QPushButton(self.tr("not found — remove"))
            button.setObjectName("removeMissing")
            button.setToolTip(self.tr("This folder is not on disk now (moved, deleted or unmounted)."))
            button.clicked.connect(lambda _c=False, p=f.path: self.remove_requested.emit(p))
            self.tree.setItemWidget(item, self.COL_LAST, button)
        if st is not None:
            files = str(st.files)
            if st.failed:
                files += " " + self.tr("(%1 failed)").replace("%1", str(st.failed))
            item.setText(self.COL_FILES, files)
            item.setText(self.COL_CHUNKS, str(st.chunks))
            item.setText(self.COL_LAST, _when(st.last_indexed) if st.last_indexed else self.tr("not yet"))
            if st.incomplete or st.pending:
                item.setText(self.COL_LAST, self.tr("incomplete — resume"))
            item.setToolTip(
                self.COL_LAST,
                self.tr("Indexing stopped before the end here. Double-click to go on.")
                if st.incomplete or st.pending
                else "",
            )
        else:
            item.setText(self.COL_LAST, self.tr("not yet"))
        if f.indexing:
            item.setText(self.COL_LAST, self.tr("indexing…"))
        if f.missing:
            item.setText(self.COL_LAST, "")
        for col in (self.COL_FILES, self.COL_CHUNKS):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(self.COL_LOCAL, Qt.CheckState.Checked if f.local_only else Qt.CheckState.Unchecked)

    # -- actions ------------------------------------------------------------------------------------
    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a folder of documents"), self.start_dir()
        )
        if folder:
            self.add_folder(folder)

    def _known_paths(self) -> list[str]:
        return self._registry.paths() if self._registry is not None else []

    def start_dir(self) -> str:
        """The last folder chosen, else next to the last folder added, else the home folder (never the
        working directory, which for an app started from a menu means nothing)."""
        if self._last_dir and Path(self._last_dir).is_dir():
            return self._last_dir
        known = self._known_paths()
        if known:
            parent = Path(known[-1]).parent
            if parent.is_dir():
                return str(parent)
        return str(Path.home())

    def add_folder(self, folder: str) -> bool:
        """Add ``folder`` unless a known folder already holds it; offer to merge the known folders it
        holds. False when nothing was added."""
        self._last_dir = str(Path(folder).parent) if Path(folder).parent.is_dir() else folder
        holder, held = folder_overlap(folder, self._known_paths())
        if holder is not None:
            self.inform(
                self.tr("Already in the knowledge base"),
                self.tr("%1 is already part of the knowledge folder %2.")
                .replace("%1", folder)
                .replace("%2", holder),
            )
            return False
        if held:
            if not self.confirm(
                self.tr("Merge folders?"),
                self.tr(
                    "%1 contains folders that are already in the knowledge base:\n%2\n\nAdd it and merge"
                    " them into it? Their passages are kept; nothing is indexed twice."
                )
                .replace("%1", folder)
                .replace("%2", "\n".join(held)),
            ):
                return False
            self.merge_requested.emit(folder, held)
            return True
        self.add_requested.emit([folder])
        return True

    def confirm(self, title: str, text: str) -> bool:
        """Ask yes/no (tests replace this)."""
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str) -> None:
        """Say something (tests replace this)."""
        QMessageBox.information(self, title, text)

    @Slot()
    def _on_remove(self) -> None:
        path = self.selected_folder()
        if path:
            self.remove_requested.emit(path)

    @Slot(QTreeWidgetItem, int)
    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        path = str(item.data(self.COL_FOLDER, PATH_ROLE))
        entries = self._registry.entries() if self._registry else ()
        st = next((e.stats for e in entries if e.path == path), None)
        if st is not None and (st.incomplete or st.pending):
            self.resume_requested.emit(path)

    @Slot(QTreeWidgetItem, int)
    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != self.COL_LOCAL:
            return
        path = str(item.data(self.COL_FOLDER, PATH_ROLE))
        self.local_only_changed.emit(path, item.checkState(self.COL_LOCAL) == Qt.CheckState.Checked)

    @Slot()
    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected_folder() is not None)
        self.reindex_button.setEnabled(bool(self._registry and self._registry.paths()))


def _when(ts: float) -> str:
    """Today: the time; otherwise the date."""
    lt = time.localtime(ts)
    if time.strftime("%Y-%m-%d", lt) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M", lt)
    return time.strftime("%Y-%m-%d", lt)


__all__ = ["FolderStats", "FoldersPanel"]
