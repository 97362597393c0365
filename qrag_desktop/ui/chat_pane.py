"""The chat pane: a question box and the conversation, answers rendered as Markdown with [n] links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.citations import CITE_PATTERN, numbers_in
from qrag_desktop.ui.i18n import TranslatedWidget
from qrag_desktop.ui.sources_panel import Source

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


@dataclass
class Turn:
    """One question in the open conversation and what came back (mutable while it streams)."""

    question: str
    answer: str = ""
    sources: list[Source] = field(default_factory=list)
    error: str | None = None
    notes: tuple[str, ...] = ()
    sent_text: str | None = None
    token_count: int | None = None
    token_exact: bool = True
    streaming: bool = False
    searching: bool = False


def link_citations(answer: str, turn_index: int) -> str:
    """``[1]`` / ``[1, 3]`` / ``[2-4]`` become Markdown links ``cite:<turn>/<n>`` the pane handles."""

    def repl(m: re.Match[str]) -> str:
        return "".join(f"[\\[{n}\\]](cite:{turn_index}/{n})" for n in numbers_in(m.group(1)))

    return CITE_PATTERN.sub(repl, answer)


def escape_md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


class ChatPane(TranslatedWidget):
    """Signals: ``ask_requested(str)``, ``stop_requested()``, ``citation_clicked(int, int)`` (turn, n)."""

    ask_requested = Signal(str)
    stop_requested = Signal()
    citation_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.turns: list[Turn] = []
        self._busy = False
        self._render_pending = False

        self.transcript = QTextBrowser()
        self.transcript.setObjectName("transcript")
        self.transcript.setOpenLinks(False)
        self.transcript.anchorClicked.connect(self._on_anchor)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.question = QLineEdit()
        self.question.setObjectName("question")
        self.question.returnPressed.connect(self.submit)
        self.ask_button = QPushButton()
        self.ask_button.setObjectName("primary")
        self.ask_button.clicked.connect(self.submit)
        self.stop_button = QPushButton()
        self.stop_button.clicked.connect(self.stop_requested)
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy_answer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.notice)
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        # Streaming deltas arrive fast; render at most every 50 ms.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.render_transcript)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.question.setPlaceholderText(self.tr("Ask a question about your documents…"))
        self.ask_button.setText(self.tr("Ask"))
        self.stop_button.setText(self.tr("Stop"))
        self.copy_button.setText(self.tr("Copy answer"))
        self.copy_button.setToolTip(self.tr("Copy the last answer, as Markdown, to the clipboard."))
        self.render_transcript()

    # -- state --------------------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        # Stop takes Ask's place while answering: one more button in the row would raise the
        # window's minimum width past a 1024 px screen (the window then grows off its right edge).
        self.ask_button.setEnabled(not self._busy)
        self.ask_button.setVisible(not self._busy)
        self.stop_button.setVisible(self._busy)
        self.copy_button.setEnabled(any(t.answer for t in self.turns))

    def set_turns(self, turns: list[Turn]) -> None:
        self.turns = turns
        self.set_notice(None)
        self.render_transcript()

    def current(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def set_notice(self, text: str | None) -> None:
        """A message under the conversation; one the current turn already shows is not said twice."""
        cur = self.current()
        if text and cur is not None and cur.error and cur.error in text:
            text = None
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))

    def schedule_render(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def submit(self) -> None:
        text = self.question.text().strip()
        if text and not self._busy:
            self.ask_requested.emit(text)

    @Slot()
    def copy_answer(self) -> None:
        for t in reversed(self.turns):
            if t.answer:
                QGuiApplication.clipboard().setText(t.answer)
                return

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            try:
                turn, n = (int(x) for x in url.path().split("/", 1))
            except ValueError:
                return
            self.citation_clicked.emit(turn, n)

    # -- rendering ----------------------------------------------------------------------------------
    def markdown(self) -> str:
        if not self.turns:
            return self.tr(
                "## Ask your documents\n\nType a question below. The answer is written from the passages found in"  # noqa: E501
                " your knowledge folders, with numbered citations you can click.\n\nAdd folders on the left;"
                " indexing starts by itself."
            )
        parts = []
        for i, t in enumerate(self.turns):
            parts.append(f"#### {escape_md(t.question)}")
            if t.searching and not t.sources:
                parts.append("*" + self.tr("Searching your documents…") + "*")
            if t.answer:
                parts.append(link_citations(t.answer, i) + (" ▍" if t.streaming else ""))
            elif t.streaming:
                parts.append("*" + self.tr("Writing the answer…") + "*")
            if t.error:
                parts.append("> **" + self.tr("No generated answer.") + "** " + escape_md(t.error))
                if t.sources:
                    parts.append("> " + self.tr("The best passages are listed under Sources, on the right."))
            for note in t.notes:
                parts.append("> *" + escape_md(note) + "*")
            parts.append("---")
        return "\n\n".join(parts)

    @Slot()
    def render_transcript(self) -> None:
        bar = self.transcript.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.transcript.setMarkdown(self.markdown())
        if at_end:
            bar.setValue(bar.maximum())
        self._update_buttons()
