"""Asking one file, and a citation opening the in-app viewer at the passage (a PDF at its page with
a highlight, a Markdown file scrolled to it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl

from qrag_desktop.ui.scope_selector import ONE_FILE
from tests.data_builders import write_text_pdf
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def _ask_of_file(qtbot, w, path: str, question: str) -> None:
    scope = w.scope_selector
    qtbot.waitUntil(lambda: path in scope._files, timeout=20000)
    scope.mode.setCurrentIndex(ONE_FILE)
    scope.file.setText(path)
    scope.file.editingFinished.emit()
    assert scope.scope().path == path
    w.chat.question.setText(question)
    qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.asking.job is None, timeout=60000)


def test_a_question_of_one_file_and_its_citation_in_the_viewer(qtbot, make_window, openai_server, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    pages = [[f"Page {n} line {k} about nothing much." for k in range(30)] for n in range(1, 5)]
    pages[2][12] = "The harbour master keeps the tide tables in the blue cabinet."
    pdf = str(write_text_pdf(folder / "manual.pdf", pages).resolve())
    paras = [f"Paragraph {i} talks about ordinary things, nothing to see." for i in range(150)]
    paras[120] = "The lighthouse keeper keeps the tide tables of every ship that passes after dark."
    md = folder / "notes.md"
    md.write_text("# Notes\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    openai_server.set_reply("The harbour master keeps them [1].")
    w = make_window()
    w.add_folders([str(folder)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    _ask_of_file(qtbot, w, pdf, "Who keeps the tide tables?")
    sources = w.sources.sources()
    assert sources and {s.hit.path for s in sources} == {pdf}  # only the chosen file was searched
    sent = w.sources.sent_label.text()
    assert "127.0.0.1" in sent and "Searched: the file manual.pdf" in sent
    hit = sources[0].hit
    w.chat.transcript.anchorClicked.emit(QUrl("cite:0/1"))
    viewer = w.asking.viewer
    assert viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.pdf_highlight() is not None, timeout=15000)
    page, rectangles = viewer.pdf_highlight() or (0, 0)
    assert page == hit.page and rectangles >= 1 and viewer.current_page() == hit.page

    openai_server.set_reply("The lighthouse keeper does [1].")
    _ask_of_file(qtbot, w, str(md.resolve()), "Who keeps the tide tables of ships?")
    assert {s.hit.path for s in w.sources.sources()} == {str(md.resolve())}
    w.chat.transcript.anchorClicked.emit(QUrl("cite:1/1"))
    highlight = viewer.text_highlight()
    assert highlight is not None
    shown = viewer.text_view.toPlainText()[highlight[0] : highlight[1]]
    assert w.sources.selected_source().hit.text.split()[1] in shown
    assert viewer.text_view.verticalScrollBar().value() > 0  # scrolled down to the passage
    wait_idle(qtbot, w)
