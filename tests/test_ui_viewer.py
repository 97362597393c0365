"""The in-app view of a cited passage, and the scope selector beside the question."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from qrag_desktop.core.chunking import Chunker
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.scope import ALL, Scope
from qrag_desktop.ui.document_viewer import DocumentViewer
from qrag_desktop.ui.scope_selector import ONE_FILE, ONE_FOLDER, ScopeSelector
from tests.data_builders import write_docx, write_text_pdf
from tests.ui_fixtures import *  # noqa: F403 - fixtures


def _viewer(qtbot) -> DocumentViewer:
    viewer = DocumentViewer()
    qtbot.addWidget(viewer)
    viewer.resize(700, 500)
    viewer.show()
    qtbot.waitExposed(viewer)
    return viewer


def test_pdf_passage_opens_at_its_page_with_a_highlight(qtbot, tmp_path: Path) -> None:
    pages = [[f"Page {n} line {k} about nothing much." for k in range(30)] for n in range(1, 5)]
    pages[2][12] = "The harbour master keeps the tide tables in the blue cabinet."
    pdf = write_text_pdf(tmp_path / "manual.pdf", pages)
    chunk = next(c for c in Chunker().chunk(load_document(pdf)) if "harbour master" in c.text)
    assert chunk.page == 3

    viewer = _viewer(qtbot)
    assert viewer.show_passage(chunk.path, chunk.page, chunk.text)
    qtbot.waitUntil(lambda: viewer.pdf_highlight() is not None, timeout=10000)
    page, rectangles = viewer.pdf_highlight() or (0, 0)
    assert page == 3 and rectangles >= 1
    assert viewer.current_page() == 3
    assert "manual.pdf" in viewer.title.text() and "3" in viewer.title.text()

    with qtbot.waitSignal(viewer.open_externally_requested) as sig:
        qtbot.mouseClick(viewer.open_button, Qt.MouseButton.LeftButton)
    assert sig.args == [chunk.path, 3]


def test_markdown_passage_is_highlighted_and_scrolled_into_view(qtbot, tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    paras = [f"Paragraph {i} talks about **ordinary** things, nothing to see." for i in range(150)]
    paras[120] = "The *lighthouse keeper* logs every ship that passes after dark."
    md.write_text("# Notes\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    chunk = next(
        c for c in Chunker(chunk_tokens=64, overlap=0).chunk(load_document(md)) if "lighthouse" in c.text
    )

    viewer = _viewer(qtbot)
    assert viewer.show_passage(chunk.path, None, chunk.text)
    view = viewer.text_view
    start, end = viewer.text_highlight() or (0, 0)
    shown = view.toPlainText()[start:end]
    assert "lighthouse keeper logs every ship" in shown and "**" not in view.toPlainText()  # rendered
    assert view.verticalScrollBar().value() > 0  # scrolled down to it
    cursor = view.textCursor()
    cursor.setPosition(start)
    assert view.viewport().rect().contains(view.cursorRect(cursor).center())  # and it is on screen
    assert len(view.extraSelections()) == 1


def test_docx_passage_is_shown_with_headings(qtbot, tmp_path: Path) -> None:
    rows = [["Service", "Port"], ["milvus", "19530"], ["etcd", "2379"]]
    path = write_docx(tmp_path / "spec.docx", [("h1", "Network"), ("p", "Ports are below."), ("table", rows)])
    viewer = _viewer(qtbot)
    assert viewer.show_passage(str(path), None, "| Service | Port |\n| --- | --- |\n| etcd | 2379 |")
    start, end = viewer.text_highlight() or (0, 0)
    assert viewer.text_view.toPlainText()[start:end] == "| etcd | 2379 |"
    assert viewer.text_view.toPlainText().startswith("Network")


def test_a_changed_file_is_shown_without_a_false_highlight(qtbot, tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text("# A\n\nNew text only.\n", encoding="utf-8")
    viewer = _viewer(qtbot)
    assert not viewer.show_passage(str(md), None, "Old text that was removed.")
    assert viewer.text_highlight() is None and viewer.text_view.extraSelections() == []


def test_scope_selector_folder_and_file_search_as_you_type(qtbot, tmp_path: Path) -> None:
    selector = ScopeSelector()
    qtbot.addWidget(selector)
    selector.show()
    kb = tmp_path / "kb"
    files = [str(kb / "notes" / "garden.md"), str(kb / "notes" / "kitchen.md"), str(kb / "manual.pdf")]
    selector.set_folders([str(kb / "notes"), str(kb)])
    selector.set_files(files)
    assert selector.scope() == ALL and not selector.file.isVisible()

    with qtbot.waitSignal(selector.scope_changed) as sig:
        selector.mode.setCurrentIndex(ONE_FOLDER)
    assert sig.args == [Scope.folder(kb / "notes")] and selector.folder.isVisible()

    selector.mode.setCurrentIndex(ONE_FILE)
    assert selector.file.isVisible()
    qtbot.keyClicks(selector.file, "GARD")
    popup = selector.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert shown == [files[0]]  # only the file whose name holds what was typed, in any case
    with qtbot.waitSignal(selector.scope_changed) as sig:
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert sig.args == [Scope.file(files[0])] and selector.scope().paths_prefix() == [files[0]]

    with qtbot.waitSignal(selector.scope_changed) as sig:
        selector.mode.setCurrentIndex(0)
    assert sig.args == [ALL]
