"""The main window's layout: the side panel (folders over conversations), the Ask and Indexing tabs,
the toolbar; how the layout shrinks on a small screen and what of it is remembered.

On a small screen (1024x640) the side panel gives way first: it shrinks to 30% of the window
at most and can be collapsed by dragging its edge (or with the toolbar's side-panel action), so
the question field keeps a width a question fits in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QSplitter, QTabWidget, QToolBar, QVBoxLayout, QWidget

from qrag_desktop.ui.chat_pane import ChatPane
from qrag_desktop.ui.conversations_panel import ConversationsPanel
from qrag_desktop.ui.folders_panel import FoldersPanel
from qrag_desktop.ui.indexing_view import IndexingView
from qrag_desktop.ui.scope_selector import ScopeSelector
from qrag_desktop.ui.sources_panel import SourcesPanel

if TYPE_CHECKING:
    from qrag_desktop.ui.main_window import MainWindow

SIDE_MAX_SHARE = 0.3  # of the window's width, when the window is made smaller
QUESTION_MIN_WIDTH = 230  # a question of a dozen words stays readable while typed
SOURCES_MIN_WIDTH = 180
SCOPE_MAX_WIDTH = 360


@dataclass
class Layout:
    folders_panel: FoldersPanel
    conversations_panel: ConversationsPanel
    indexing_view: IndexingView
    chat: ChatPane
    sources: SourcesPanel
    scope_selector: ScopeSelector
    left_splitter: QSplitter
    chat_splitter: QSplitter
    tabs: QTabWidget
    main_splitter: QSplitter
    toolbar: QToolBar
    add_action: QAction
    new_action: QAction
    settings_action: QAction
    side_action: QAction


def build(window: MainWindow) -> Layout:
    folders_panel = FoldersPanel()
    conversations_panel = ConversationsPanel()
    indexing_view = IndexingView()
    chat = ChatPane()
    sources = SourcesPanel()
    chat.question.setMinimumWidth(QUESTION_MIN_WIDTH)
    scope_selector = ScopeSelector()
    scope_selector.setMaximumWidth(SCOPE_MAX_WIDTH)
    # As wide as what it shows (the question field takes the rest of the row).
    scope_selector.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
    _put_beside(chat, chat.question, scope_selector)
    sources.setMinimumWidth(SOURCES_MIN_WIDTH)

    left = _splitter(
        "leftSplitter", Qt.Orientation.Vertical, (folders_panel, conversations_panel), [300, 300]
    )
    chat_splitter = _splitter(
        "chatSplitter",
        Qt.Orientation.Horizontal,
        (chat, sources),
        [580, 400],
        stretch=(3, 2),
        collapsible=(False, True),
    )
    tabs = QTabWidget()
    tabs.setObjectName("mainTabs")
    tabs.addTab(chat_splitter, "")
    tabs.addTab(indexing_view, "")
    main = _splitter(
        "mainSplitter",
        Qt.Orientation.Horizontal,
        (left, tabs),
        [370, 910],
        stretch=(0, 1),
        collapsible=(True, False),
    )
    central = QWidget()
    lay = QVBoxLayout(central)
    lay.setContentsMargins(4, 6, 4, 4)
    lay.addWidget(main)
    window.setCentralWidget(central)

    toolbar = QToolBar()
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    side_action = QAction(window)
    side_action.setCheckable(True)
    side_action.setChecked(True)
    side_action.setShortcut(QKeySequence("Ctrl+B"))
    add_action = QAction(window)
    add_action.setShortcut(QKeySequence.StandardKey.Open)
    add_action.triggered.connect(folders_panel.choose_folder)
    settings_action = QAction(window)
    settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
    new_action = QAction(window)
    new_action.setShortcut(QKeySequence.StandardKey.New)
    for a in (side_action, add_action, new_action, settings_action):
        toolbar.addAction(a)
    window.addToolBar(toolbar)
    layout = Layout(
        folders_panel,
        conversations_panel,
        indexing_view,
        chat,
        sources,
        scope_selector,
        left,
        chat_splitter,
        tabs,
        main,
        toolbar,
        add_action,
        new_action,
        settings_action,
        side_action,
    )
    side_action.toggled.connect(lambda shown: show_side_panel(layout, shown))
    main.splitterMoved.connect(lambda _pos, _i: side_action.setChecked(main.sizes()[0] > 0))
    return layout


def _splitter(
    name: str,
    orientation: Qt.Orientation,
    widgets: tuple[QWidget, ...],
    sizes: list[int],
    *,
    stretch: tuple[int, ...] = (),
    collapsible: tuple[bool, ...] = (),
) -> QSplitter:
    """A named splitter holding ``widgets``, with their stretch factors, collapsibility and sizes."""
    splitter = QSplitter(orientation)
    splitter.setObjectName(name)
    for widget in widgets:
        splitter.addWidget(widget)
    for i, factor in enumerate(stretch):
        splitter.setStretchFactor(i, factor)
    for i, can in enumerate(collapsible):
        splitter.setCollapsible(i, can)
    splitter.setSizes(sizes)
    return splitter


def _put_beside(parent: QWidget, anchor: QWidget, widget: QWidget) -> None:
    """Put ``widget`` just before ``anchor`` in the row (a box layout under ``parent``) holding it."""
    rows = [parent.layout()]
    while rows:
        row = rows.pop()
        if not isinstance(row, QBoxLayout):
            continue
        at = row.indexOf(anchor)
        if at >= 0:
            row.insertWidget(at, widget)
            return
        items = (row.itemAt(i) for i in range(row.count()))
        rows += [item.layout() for item in items if item is not None and item.layout() is not None]
    raise LookupError("the anchor is in no box layout of its parent")


def show_side_panel(layout: Layout, shown: bool) -> None:
    """Collapse the side panel or bring it back at a width that fits the window."""
    sizes = layout.main_splitter.sizes()
    total = sum(sizes)
    if shown and sizes[0] == 0:
        side = max(layout.left_splitter.minimumSizeHint().width(), int(total * 0.26))
        layout.main_splitter.setSizes([side, total - side])
    elif not shown and sizes[0] > 0:
        layout.main_splitter.setSizes([0, total])


def fit_side_panel(layout: Layout, width: int) -> None:
    """After the window was resized: the side panel takes at most 30% of it (it keeps its width
    otherwise, as a splitter does), so the Ask tab is what a small window keeps."""
    sizes = layout.main_splitter.sizes()
    total = sum(sizes)
    limit = max(layout.left_splitter.minimumSizeHint().width(), int(width * SIDE_MAX_SHARE))
    if sizes[0] > limit and total > limit:
        layout.main_splitter.setSizes([limit, total - limit])


def _splitters(layout: Layout) -> tuple[QSplitter, ...]:
    return (layout.main_splitter, layout.left_splitter, layout.chat_splitter, layout.sources.splitter)


def restore_state(window: MainWindow, layout: Layout, state: QSettings) -> None:
    geo = state.value("window/geometry")
    if geo is not None:
        window.restoreGeometry(geo)
    else:
        window.resize(1280, 800)
    for sp in _splitters(layout):
        saved = state.value(f"splitters/{sp.objectName() or 'sources'}")
        if saved is not None:
            sp.restoreState(saved)
    layout.side_action.setChecked(layout.main_splitter.sizes()[0] > 0)


def save_state(window: MainWindow, layout: Layout, state: QSettings) -> None:
    state.setValue("window/geometry", window.saveGeometry())
    for sp in _splitters(layout):
        state.setValue(f"splitters/{sp.objectName() or 'sources'}", sp.saveState())
    state.sync()


__all__ = ["Layout", "build", "fit_side_panel", "restore_state", "save_state", "show_side_panel"]
