"""A 1024x640 screen: asking, long paths and long notes never push the window past its right edge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from qrag_desktop.core.types import RERANK_REASON_BUDGET
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

SCREEN_W = 1024
LONG_DIR = "quarterly-project-notes-and-meeting-minutes-of-the-infrastructure-working-group-2024"
LONG_FILE = "milvus-lite-installation-and-configuration-guide-for-local-development-machines.md"
LONG_HEADING = "Running Milvus Lite inside a Python process with a local file instead of a server address"


def test_the_window_stays_within_a_1024_screen_while_and_after_answering(
    qtbot, make_window, openai_server, tmp_path
):
    folder = tmp_path / LONG_DIR / LONG_DIR
    folder.mkdir(parents=True)
    (folder / LONG_FILE).write_text(
        f"# Milvus\n\nMilvus is a vector database.\n\n## {LONG_HEADING}\n\nMilvus Lite runs inside a Python"
        " process and keeps its data in a local file.\n",
        encoding="utf-8",
    )
    openai_server.set_reply(
        f"Milvus Lite runs inside your Python process [1]. See {folder / LONG_FILE} for the details [2]. " * 4
    )
    openai_server.chunk_pause_s = 0.02
    w = make_window()
    w.resize(SCREEN_W, 640)
    qtbot.waitUntil(lambda: w.width() == SCREEN_W)
    w.add_folders([str(tmp_path / LONG_DIR)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    widest = [0, 0]  # the window's width and its least width, while the answer streams in
    stop_shown = []

    def watch() -> None:
        widest[0] = max(widest[0], w.width())
        widest[1] = max(widest[1], w.minimumSizeHint().width())
        if w.chat.stop_button.isVisible():
            stop_shown.append(w.chat.ask_button.isVisible())

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(20)
    w.chat.question.setText("How do I run Milvus Lite?")
    qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.asking.job is None, timeout=60000)
    timer.stop()
    assert "Milvus Lite runs inside your Python process" in w.chat.transcript.toPlainText()
    assert stop_shown and not any(stop_shown)  # Stop stood in Ask's place, not beside it
    assert widest[0] <= SCREEN_W and widest[1] <= SCREEN_W

    # The longest texts the window shows after an answer: the "n of m reranked" note, the scope,
    # a long device description in the status bar, a long notice under the conversation.
    sources = w.sources.sources()
    assert sources and any(s.hit.path.endswith(LONG_FILE) for s in sources)
    w.sources.set_sources(
        sources,
        stage="reranked",
        reranked_count=1,
        rerank_candidates=40,
        rerank_reason=RERANK_REASON_BUDGET,
    )
    assert "1 of 40 reranked (time budget)" in w.sources.stage_label.text()
    w.sources.set_scope(str(folder / LONG_FILE))
    device = "CPU (Intel(R) Xeon(R) Platinum 8480+ processor with a very long marketing name), 2 threads"
    w.status_bar._on_device(device)
    w.chat.set_notice("The answer was cut short: " + str(folder / LONG_FILE) + " " + LONG_HEADING)
    QApplication.processEvents()
    assert w.width() <= SCREEN_W
    assert w.minimumSizeHint().width() <= SCREEN_W
    assert w.statusBar().minimumSizeHint().width() <= SCREEN_W  # cut with "…", not clipped off
    label = w.status_bar.device_label
    assert label.text().endswith("2 threads") and label.toolTip() == label.text()  # whole on hover
    assert label.shown_text().endswith("…")  # cut where the room ends, not mid-letter
    wait_idle(qtbot, w)
