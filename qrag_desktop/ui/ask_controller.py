"""The ask flow in the window: runs the core's ask pipeline in a job and shows its events in the chat
pane and the sources panel; keeps the conversations.

It builds no prompt, filters no passage and reads no citation itself: ``core.asking`` does, for
the window and ``qrag ask`` alike. Signals: ``busy_changed()`` when an answer starts or ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from qrag_desktop.core.asking import (
    AnswerDelta,
    AskEvent,
    AskOutcome,
    Passage,
    PassagesFound,
    SentRequest,
    number_passages,
)
from qrag_desktop.core.conversations import ConversationStore
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.scope import Scope
from qrag_desktop.ui.chat_pane import Turn
from qrag_desktop.ui.i18n import failure_text
from qrag_desktop.ui.i18n import window_tr as tr
from qrag_desktop.ui.sources_panel import Source, open_file
from qrag_desktop.ui.workers import Job

if TYPE_CHECKING:
    from qrag_desktop.ui.document_viewer import DocumentViewer
    from qrag_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def sources_of(passages: tuple[Passage, ...]) -> list[Source]:
    return [Source(p.hit, p.n, p.local_only) for p in passages]


def scope_words(scope: Scope) -> str:
    """What a question was asked of, in the UI language (the Sent-to-the-cloud tab names it)."""
    name = os.path.basename(scope.path.rstrip("/\\")) or scope.path
    if scope.is_all:
        return tr("all folders")
    if scope.kind == "folder":
        return tr("the folder %1").replace("%1", name)
    return tr("the file %1").replace("%1", name)


class AskController(QObject):
    busy_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.chat = window.chat
        self.sources = window.sources
        self.conversations = ConversationStore(window.paths.conversations_path)
        self.conversation_id: int | None = None
        self._job: Job | None = None
        self._outcome: AskOutcome | None = None
        self._viewer: DocumentViewer | None = None  # made when a passage is first shown
        window.chat.ask_requested.connect(self.ask)
        window.chat.stop_requested.connect(self.stop)
        window.chat.citation_clicked.connect(self._on_citation)
        window.sources.open_file_requested.connect(self._open_file)
        window.conversations_panel.open_requested.connect(self.open_conversation)
        window.conversations_panel.delete_requested.connect(self.delete_conversation)
        window.conversations_panel.new_requested.connect(self.new_conversation)
        window.conversations_panel.rename_requested.connect(self.rename_conversation)

    @property
    def job(self) -> Job | None:
        """The running answer job, if any."""
        return self._job

    # -- asking -------------------------------------------------------------------------------------
    @Slot(str)
    def ask(self, question: str) -> None:
        question = question.strip()
        if not question or self._job is not None or self.window.is_shut_down:
            return
        if self.conversation_id is None:
            self.conversation_id = self.conversations.create(question).id
            history: list[tuple[str, str]] = []
        else:
            history = self.conversations.history(self.conversation_id)
        self.chat.turns.append(Turn(question, searching=True))
        self.chat.question.clear()
        self.chat.set_notice(None)
        self.chat.render_transcript()
        self.sources.set_sources([], stage="recall")
        self.sources.set_sent(None)
        self.sources.set_query(question)
        scope = self.window.scope_selector.scope()
        self.sources.set_scope(scope_words(scope))
        self.window.show_chat()

        from qrag_desktop.core.asking import ask, make_answerer

        engine = self.window.engine
        answerer = make_answerer(self.window.settings, self.window.api_key() or "")
        control = JobControl()
        prefix = scope.paths_prefix()

        def work() -> Iterator[AskEvent]:
            return ask(engine, question, answerer, history=history, control=control, paths_prefix=prefix)

        self._outcome = None
        job = self.window.jobs.create("ask", work, control)
        job.yielded.connect(self._on_event)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_finished)
        self._job = job
        self.chat.set_busy(True)
        job.start()
        self.busy_changed.emit()

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        turn = self.chat.current()
        if turn is None:
            return
        if isinstance(ev, PassagesFound):
            turn.searching = False
            turn.sources = sources_of(ev.passages)
            turn.notes = ev.result.notes
            r = ev.result
            self.sources.set_sources(
                turn.sources,
                stage="reranked" if ev.reranked else "recall",
                reranked_count=r.reranked_count,
                rerank_candidates=r.rerank_candidates,
                rerank_reason=r.rerank_reason,
            )
            self.chat.schedule_render()
        elif isinstance(ev, SentRequest):
            turn.sent_text, turn.token_count, turn.token_exact = ev.text, ev.token_count, ev.exact
            turn.streaming = True
            s = self.window.settings
            self.sources.set_sent(
                ev.text, ev.token_count, exact=ev.exact, model=s.openai_model, base_url=s.openai_base_url
            )
            self.chat.schedule_render()
        elif isinstance(ev, AnswerDelta):
            turn.answer += ev.text
            self.chat.schedule_render()
        elif isinstance(ev, AskOutcome):
            self._outcome = ev
            if ev.reason == "answer_failed":
                turn.error = ev.error  # said once, in the conversation
                if not ev.request_sent:
                    self.sources.set_not_sent()
            elif ev.reason == "no_passages":
                turn.error = tr("No passages were found for this question. Is anything indexed yet?")
            elif ev.reason == "all_local_only":
                turn.error = tr(
                    "All relevant passages are in local-only folders, so nothing was sent to the cloud model."
                )

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        turn = self.chat.current()
        text = failure_text(exc, "answering")
        if turn is not None:
            turn.error = text

    @Slot()
    def _on_finished(self) -> None:
        job, self._job = self._job, None
        outcome, self._outcome = self._outcome, None
        self.chat.set_busy(False)
        self.busy_changed.emit()
        turn = self.chat.current()
        if turn is None or self.conversation_id is None:
            return
        turn.streaming = turn.searching = False
        if job is not None and job.control.cancelled and turn.error is None:
            turn.error = tr("Stopped.")
        if self.sources.sources() and self.sources.stage == "recall":
            self.sources.set_sources(turn.sources, stage="")
        if outcome is not None and outcome.answer:
            self.sources.mark_cited({c.n for c in outcome.citations})
        self.chat.render_transcript()
        if not self.window.is_shut_down:
            self.conversations.add_message(
                self.conversation_id,
                turn.question,
                turn.answer or None,
                [s.hit for s in turn.sources],
                error=turn.error,
                sent_text=turn.sent_text,
                token_count=turn.token_count,
            )
            self.refresh_conversations()

    @Slot()
    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()

    @Slot(int, int)
    def _on_citation(self, turn_index: int, n: int) -> None:
        if 0 <= turn_index < len(self.chat.turns):
            turn = self.chat.turns[turn_index]
            if [s.hit for s in self.sources.sources()] != [s.hit for s in turn.sources]:
                self.sources.set_sources(turn.sources)
                self.sources.set_sent(
                    turn.sent_text,
                    turn.token_count,
                    exact=turn.token_exact,
                    model=self.window.settings.openai_model,
                    base_url=self.window.settings.openai_base_url,
                )
                self.sources.set_query(turn.question)
            if self.sources.select_citation(n):
                self._show_selected_passage()

    @property
    def viewer(self) -> DocumentViewer:
        """The in-app document viewer: a window of its own beside the main one."""
        if self._viewer is None:
            from PySide6.QtCore import Qt

            from qrag_desktop.ui.document_viewer import DocumentViewer

            self._viewer = DocumentViewer(self.window)
            self._viewer.setWindowFlag(Qt.WindowType.Window)
            self._viewer.resize(760, min(900, max(480, self.window.height())))
            self._viewer.open_externally_requested.connect(self._open_externally)
        return self._viewer

    def _show_selected_passage(self) -> None:
        source = self.sources.selected_source()
        if source is None:
            return
        viewer = self.viewer
        viewer.show_passage(source.hit.path, source.hit.page, source.hit.text)
        viewer.setWindowTitle(viewer.title.text())
        viewer.show()
        viewer.raise_()

    @Slot(str, object)
    def _open_file(self, path: str, page: object) -> None:
        """A source's Open: the passage in the in-app viewer (which offers the system's app)."""
        source = self.sources.selected_source()
        if source is not None and source.hit.path == path:
            self._show_selected_passage()
        else:
            self._open_externally(path, page)

    @Slot(str, object)
    def _open_externally(self, path: str, page: object) -> None:
        if not open_file(path, page if isinstance(page, int) else None):
            message = tr("No app is set up to open %1").replace("%1", path)
            self.window.statusBar().showMessage(message, 8000)

    # -- conversations ------------------------------------------------------------------------------
    def refresh_conversations(self) -> None:
        self.window.conversations_panel.set_conversations(
            self.conversations.conversations(), self.conversation_id
        )

    def reopen_last(self) -> None:
        """At start: the conversation used last is open again, as the person left it."""
        last = self.conversations.conversations()[:1]
        if last:
            self.open_conversation(last[0].id)
        else:
            self.refresh_conversations()

    @Slot()
    def new_conversation(self) -> None:
        if self._job is not None:
            return
        self.conversation_id = None
        self.chat.set_turns([])
        self.sources.set_sources([])
        self.sources.set_sent(None)
        self.refresh_conversations()
        self.window.show_chat()
        self.chat.question.setFocus()

    @Slot(int)
    def open_conversation(self, conversation_id: int) -> None:
        if self._job is not None:
            return
        roots = self.window.folders.local_only_roots()
        turns = [
            Turn(
                m.question,
                m.answer or "",
                sources_of(number_passages(m.passages, roots)),
                error=m.error,
                sent_text=m.sent_text,
                token_count=m.token_count,
            )
            for m in self.conversations.messages(conversation_id)
        ]
        self.conversation_id = conversation_id
        self.chat.set_turns(turns)
        last = turns[-1] if turns else None
        self.sources.set_sources(last.sources if last else [])
        self.sources.set_sent(
            last.sent_text if last else None,
            last.token_count if last else None,
            model=self.window.settings.openai_model,
            base_url=self.window.settings.openai_base_url,
        )
        self.sources.set_query(last.question if last else "")
        self.refresh_conversations()
        self.window.show_chat()

    @Slot(int, str)
    def rename_conversation(self, conversation_id: int, title: str) -> None:
        if title:
            self.conversations.rename(conversation_id, title)
            self.refresh_conversations()

    @Slot(int)
    def delete_conversation(self, conversation_id: int) -> None:
        if not self.window.confirm(
            tr("Delete conversation"), tr("Delete this conversation and its answers?")
        ):
            return
        self.conversations.delete(conversation_id)
        if conversation_id == self.conversation_id:
            self.new_conversation()
        self.refresh_conversations()

    def close(self) -> None:
        self.conversations.close()
        if self._viewer is not None:
            self._viewer.close()


__all__ = ["AskController", "scope_words", "sources_of"]
