"""The passages behind an answer, in ranked order, and the exact text that went to the cloud model.

Over 400 lines as one file: the two tabs share one question's state (its passages, stage, rerank
counts, what was sent) and are retranslated together; the pure helpers are the parts to move out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QTextBlockFormat, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.types import RERANK_REASON_BUDGET, Hit
from qrag_desktop.ui.i18n import TranslatedWidget

INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
DEFAULT_BASE_URL = "https://api.openai.com/v1"  # what the OpenAI client uses when nothing else is set
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)
_HAN_RUN = re.compile("[\u4e00-\u9fff]+")
# Words too common to be worth marking in a passage.
_COMMON = set(
    "the a an and or of to in on for is are was were be been it its this that with as at by from how what"
    " when where which who why does do did can could should would will not no yes i you we they my your"
    " our their about into than then there here".split()
)


class SentLike(Protocol):
    """What the window knows about a request it built for the cloud model."""

    @property
    def token_count(self) -> int: ...
    @property
    def exact(self) -> bool: ...


def cloud_host(base_url: str | None) -> str:
    """The server a question goes to: the base URL's host (the environment's when none is set)."""
    url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    parts = urlsplit(url)
    return parts.netloc or url


def sent_to_cloud_text(
    request: SentLike | None, base_url: str | None, model: str, *, sent: bool = True
) -> str:
    """What the "Sent to the cloud" tab says: where the text went (host and model), or that nothing
    was sent (no request, or the request never left: no key)."""
    if request is None:
        return QCoreApplication.translate("SourcesPanel", "Nothing was sent to the cloud for this question.")
    tokens = ("" if request.exact else "≈") + str(request.token_count)
    host, model = cloud_host(base_url), model or QCoreApplication.translate("SourcesPanel", "the cloud model")
    if not sent:
        text = QCoreApplication.translate(
            "SourcesPanel",
            "Nothing was sent to the cloud for this question. This is the text that would go to %1 at %2"
            " (%3 tokens):",
        )
    else:
        text = QCoreApplication.translate(
            "SourcesPanel",
            "This exact text was sent to %1 at %2 (%3 tokens with the instructions and earlier turns):",
        )
    return text.replace("%1", model).replace("%2", host).replace("%3", tokens)


def highlight_terms(question: str) -> list[str]:
    """The words of a question worth marking in a passage (Chinese: each pair of characters)."""
    terms: list[str] = []
    for word in _WORD.findall(question):
        if _HAN_RUN.fullmatch(word):
            continue
        if word.lower() not in _COMMON and word.lower() not in terms:
            terms.append(word.lower())
    for run in _HAN_RUN.findall(question):
        terms.extend(run[i : i + 2] for i in range(len(run) - 1) if run[i : i + 2] not in terms)
    return terms


def highlight(doc: QTextDocument, terms: list[str], start: int = 0) -> int:
    """Mark every occurrence of ``terms`` in ``doc`` after ``start`` (whole words for Latin
    scripts); returns how many."""
    fmt = QTextCharFormat()
    fmt.setBackground(QColor("#fff176"))
    fmt.setForeground(QColor("#000000"))
    n = 0
    for term in terms:
        flags = QTextDocument.FindFlag(0)
        if not _HAN_RUN.match(term):
            flags |= QTextDocument.FindFlag.FindWholeWords
        cursor = doc.find(term, start, flags)
        while not cursor.isNull():
            cursor.mergeCharFormat(fmt)
            n += 1
            cursor = doc.find(term, cursor, flags)
    return n


@dataclass(frozen=True)
class Source:
    """A passage as the sources panel shows it; ``n`` is its [n] in the prompt, None when not sent."""

    hit: Hit
    n: int | None
    local_only: bool = False


class SourcesPanel(TranslatedWidget):
    """Signals: ``open_file_requested(str, object)`` with a path and a page (or None)."""

    open_file_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources: list[Source] = []
        self._stage = ""
        self._reranked = (0, 0, "")  # reranked_count, rerank_candidates, rerank_reason of the search
        self._sent_text: str | None = None
        self._scope_text = ""  # what the question was asked of, in words
        self._sent_tokens: int | None = None
        self._sent_exact = True
        self._sent = True
        self._model = ""
        self._base_url: str | None = None
        self._cited: set[int] = set()
        self._query = ""

        self.tabs = QTabWidget()
        # sources tab
        self.stage_label = QLabel()
        self.stage_label.setObjectName("hint")
        self.stage_label.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setObjectName("sourcesList")
        self.list.setRootIsDecorated(False)
        self.list.setColumnCount(4)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        h = self.list.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # File and heading share the room: a wide window does not give it all to the file name, and a
        # narrow one shows a part of each instead of a scroll bar.
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemSelectionChanged.connect(self._show_selected)
        self.list.itemDoubleClicked.connect(self._open_selected)
        self.preview = QTextBrowser()
        self.preview.setObjectName("passagePreview")
        self.preview.setOpenLinks(False)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._open_selected)
        self.open_button.setEnabled(False)

        sources_page = QWidget()
        sv = QVBoxLayout(sources_page)
        sv.setContentsMargins(4, 4, 4, 4)
        sv.addWidget(self.stage_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        below = QWidget()
        bl = QVBoxLayout(below)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.preview, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        bl.addLayout(row)
        split.addWidget(below)
        split.setSizes([200, 200])
        self.splitter = split
        sv.addWidget(split, 1)

        # sent-text tab
        self.sent_label = QLabel()
        self.sent_label.setObjectName("sentLabel")
        self.sent_label.setWordWrap(True)
        self.sent_text = QPlainTextEdit()
        self.sent_text.setObjectName("sentText")
        self.sent_text.setReadOnly(True)
        sent_page = QWidget()
        tv = QVBoxLayout(sent_page)
        tv.setContentsMargins(4, 4, 4, 4)
        tv.addWidget(self.sent_label)
        tv.addWidget(self.sent_text, 1)

        self.tabs.addTab(sources_page, "")
        self.tabs.addTab(sent_page, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, self.tr("Sources"))
        self.tabs.setTabText(1, self.tr("Sent to the cloud"))
        self.list.setHeaderLabels(
            [self.tr("#"), self.tr("File"), self.tr("Page / heading"), self.tr("Score")]
        )
        self.open_button.setText(self.tr("Open file"))
        self._render_stage()
        self._render_sent()
        self._fill()

    # -- content ------------------------------------------------------------------------------------
    def set_sources(
        self,
        sources: list[Source],
        *,
        stage: str = "",
        reranked_count: int = 0,
        rerank_candidates: int = 0,
        rerank_reason: str = "",
    ) -> None:
        """``stage``: "recall" (hybrid matches, reranking follows), "reranked", or "" (a saved answer).
        When reranked, the counts of ``SearchResult`` say whether every candidate was scored."""
        if [x.hit for x in sources] != [x.hit for x in self._sources]:
            self._cited = set()
        self._sources = list(sources)
        self._stage = stage
        self._reranked = (
            (reranked_count, rerank_candidates, rerank_reason) if stage == "reranked" else (0, 0, "")
        )
        self._render_stage()
        self._fill()
        if self._sources:
            self.select_row(0)
        else:
            self.preview.clear()

    @property
    def stage(self) -> str:
        """What the list shows: "recall", "reranked", or "" (a finished or reopened answer)."""
        return self._stage

    def sources(self) -> list[Source]:
        return list(self._sources)

    def set_sent(
        self,
        text: str | None,
        tokens: int | None = None,
        *,
        exact: bool = True,
        model: str = "",
        base_url: str | None = None,
        sent: bool = True,
    ) -> None:
        """The text for the cloud model; ``sent=False`` when it never left (no key), ``base_url`` is
        the configured server (None: the environment's, else OpenAI's)."""
        self._sent_text, self._sent_tokens, self._sent_exact, self._model = text, tokens, exact, model
        self._base_url, self._sent = base_url, sent
        self._render_sent()

    def set_scope(self, text: str) -> None:
        """What the question was asked of, in words (the Sent-to-the-cloud tab names it)."""
        self._scope_text = text
        self._render_sent()

    def set_not_sent(self) -> None:
        """The request built for this question never went out (no API key): say so."""
        self._sent = False
        self._render_sent()

    def set_query(self, question: str) -> None:
        """The question whose words are marked in the passage preview."""
        self._query = question
        self._show_selected()

    def select_citation(self, n: int) -> bool:
        """Select the passage cited as [n]; False when there is none."""
        for row, src in enumerate(self._sources):
            if src.n == n:
                self.tabs.setCurrentIndex(0)
                self.select_row(row)
                return True
        return False

    def select_row(self, row: int) -> None:
        item = self.list.topLevelItem(row)
        if item is not None:
            self.list.setCurrentItem(item)
            self.list.scrollToItem(item)

    def mark_cited(self, numbers: set[int]) -> None:
        """Bold the passages the answer cites (kept when the list is rebuilt, e.g. a language switch)."""
        self._cited = set(numbers)
        self._apply_cited()

    def cited(self) -> set[int]:
        return set(self._cited)

    def _apply_cited(self) -> None:
        for row, src in enumerate(self._sources):
            item = self.list.topLevelItem(row)
            if item is not None:
                font = item.font(0)
                font.setBold(src.n in self._cited)
                for col in range(4):
                    item.setFont(col, font)

    def _render_stage(self) -> None:
        if not self._sources:
            self.stage_label.setText(self.tr("Ask a question: the passages it is answered from appear here."))
        elif self._stage == "recall":
            self.stage_label.setText(self.tr("Keyword and meaning matches; reranking…"))
        elif self._stage == "reranked" and self._reranked[0] < self._reranked[1]:
            n, m, reason = self._reranked
            text = (
                self.tr("%1 of %2 reranked (time budget); the others follow in keyword and meaning order.")
                if reason == RERANK_REASON_BUDGET
                else self.tr("%1 of %2 reranked; the others follow in keyword and meaning order.")
            )
            self.stage_label.setText(text.replace("%1", str(n)).replace("%2", str(m)))
        elif self._stage == "reranked":
            self.stage_label.setText(self.tr("Best passages, reranked by relevance."))
        else:
            self.stage_label.setText(self.tr("Passages used for this answer."))

    def _render_sent(self) -> None:
        request = None
        if self._sent_text is not None:
            request = _Sent(self._sent_tokens if self._sent_tokens is not None else 0, self._sent_exact)
        said = sent_to_cloud_text(request, self._base_url, self._model, sent=self._sent)
        if self._scope_text:  # what was searched: all folders, or one folder or file
            said += " " + self.tr("Searched: %1.").replace("%1", self._scope_text)
        self.sent_label.setText(said)
        text = self._sent_text or ""
        if self.sent_text.toPlainText() != text:
            self.sent_text.setPlainText(text)

    def _fill(self) -> None:
        self.list.clear()
        for row, src in enumerate(self._sources):
            h = src.hit
            where = []
            if h.page is not None:
                where.append(self.tr("page %1").replace("%1", str(h.page)))
            if h.heading:
                where.append(h.heading)
            number = f"[{src.n}]" if src.n is not None else self.tr("local")
            item = QTreeWidgetItem(
                [number, os.path.basename(h.path) or h.path, " · ".join(where), f"{h.score:.3f}"]
            )
            item.setData(0, INDEX_ROLE, row)
            item.setToolTip(1, h.path)
            item.setToolTip(2, " · ".join(where))
            if src.local_only:
                item.setToolTip(
                    0, self.tr("From a local-only folder: searched, never sent to the cloud model.")
                )
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row >= self._reranked[0] and self._reranked[0] < self._reranked[1]:
                item.setToolTip(3, self.tr("Not reranked: it keeps its keyword and meaning order."))
            self.list.addTopLevelItem(item)
        self._apply_cited()

    def selected_source(self) -> Source | None:
        item = self.list.currentItem()
        if item is None:
            return None
        row = item.data(0, INDEX_ROLE)
        return self._sources[int(row)] if row is not None and int(row) < len(self._sources) else None

    @Slot()
    def _show_selected(self) -> None:
        src = self.selected_source()
        self.open_button.setEnabled(src is not None)
        if src is None:
            self.preview.clear()
            return
        h = src.hit
        lines = [f"**{os.path.basename(h.path)}**"]
        if h.page is not None:
            lines.append(self.tr("page %1").replace("%1", str(h.page)))
        if h.heading:
            lines.append("*" + h.heading.replace("*", "\\*") + "*")
        head = "  \n".join(lines)
        if src.local_only:
            head += "  \n" + self.tr("Local only: this passage was not sent to the cloud model.")
        self.preview.setMarkdown(head + "\n\n---\n\n")
        cursor = self.preview.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        # A fresh block: text typed into the rule's block would draw a rule under every paragraph.
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        # Passages keep their Markdown (links, lists, tables): rendered, as the file reads.
        cursor.insertMarkdown(h.text)
        if self._query:
            highlight(self.preview.document(), highlight_terms(self._query), start)
        self.preview.moveCursor(cursor.MoveOperation.Start)
        self.preview.setToolTip(h.path)

    @Slot()
    def _open_selected(self) -> None:
        src = self.selected_source()
        if src is not None:
            self.open_file_requested.emit(src.hit.path, src.hit.page)


@dataclass(frozen=True)
class _Sent:
    token_count: int
    exact: bool


def open_file(path: str, page: int | None = None) -> bool:
    """Open a file with the system's default app (PDF viewers that honour it jump to ``#page=N``)."""
    url = QUrl.fromLocalFile(path)
    if page is not None and path.lower().endswith(".pdf"):
        url.setFragment(f"page={page}")
    return QDesktopServices.openUrl(url)
