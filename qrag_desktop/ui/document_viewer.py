"""An in-app view of a cited passage in its document: a PDF at the cited page with the passage
highlighted (Qt's own PDF module), any other format rendered around the passage with it highlighted
and scrolled into view. "Open in system app" stays one click away."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.documents import load_document
from qrag_desktop.core.documents.encoding import decode_text
from qrag_desktop.core.documents.reading import read_bytes
from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.passages import find_passage
from qrag_desktop.ui.i18n import TranslatedWidget

HIGHLIGHT = QColor(255, 230, 120)
_MARKDOWN = {".md", ".markdown"}
# Shown as the file is: re-rendering these would only lose what a person sees in an editor.
_AS_IS = {".txt", ".text", ".log", ".py", ".js", ".ts", ".json", ".yaml", ".yml", ".toml", ".sh", ".sql"}
_SEARCH_CHARS = 60  # QtPdf searches one line of page text; a long phrase may wrap in the PDF


class DocumentViewer(TranslatedWidget):
    """Signals: ``open_externally_requested(str, object)``: a path and a page (or None), from the
    "Open in system app" button (the window opens it with ``sources_panel.open_file``)."""

    open_externally_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = ""
        self._page: int | None = None
        self._pdf_phrase = ""
        self._pdf_result = -1
        self._text_range: tuple[int, int] | None = None

        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._open_externally)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.open_button)

        self.pdf_document = QPdfDocument(self)
        self.pdf_search = QPdfSearchModel(self)
        self.pdf_search.setDocument(self.pdf_document)
        self.pdf_search.rowsInserted.connect(self._on_search_results)
        self.pdf_view = QPdfView(self)
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setSearchModel(self.pdf_search)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.text_view = QTextBrowser(self)
        self.text_view.setOpenExternalLinks(False)
        self.text_view.setOpenLinks(False)

        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)

        self.stack = QStackedWidget()
        for w in (self.text_view, self.pdf_view, self.message):
            self.stack.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("Open in system app"))
        self.open_button.setToolTip(self.tr("Open the file with the app your system uses for it"))

    # -- public ---------------------------------------------------------------------------------

    def show_passage(self, path: str, page: int | None, passage: str) -> bool:
        """Show ``path`` at ``passage``; False (with a message in the view) when the file cannot be
        shown or the passage is no longer in it."""
        self._path, self._page = path, page
        self._pdf_result, self._text_range = -1, None
        name = os.path.basename(path)
        self.title.setText(
            name if page is None else self.tr("%1 — page %2").replace("%1", name).replace("%2", str(page))
        )
        self.title.setToolTip(path)
        if Path(path).suffix.lower() == ".pdf":
            return self._show_pdf(path, page, passage)
        return self._show_text(path, page, passage)

    def current_page(self) -> int | None:
        """The 1-based page a PDF is shown at; None for other formats."""
        if self.stack.currentWidget() is not self.pdf_view:
            return None
        return self.pdf_view.pageNavigator().currentPage() + 1

    def pdf_highlight(self) -> tuple[int, int] | None:
        """(1-based page, number of highlighted rectangles) of the highlighted passage in a PDF."""
        if self._pdf_result < 0:
            return None
        link = self.pdf_search.resultAtIndex(self._pdf_result)
        return link.page() + 1, len(link.rectangles())

    def text_highlight(self) -> tuple[int, int] | None:
        """Character range of the highlighted passage in ``text_view``'s document."""
        return self._text_range

    # -- PDF ------------------------------------------------------------------------------------

    def _show_pdf(self, path: str, page: int | None, passage: str) -> bool:
        self.pdf_search.setSearchString("")
        self.pdf_document.close()
        if self.pdf_document.load(path) != QPdfDocument.Error.None_:
            return self._fail(self.tr("This PDF cannot be shown here. Open it in the system app."))
        self.stack.setCurrentWidget(self.pdf_view)
        target = max(0, min((page or 1) - 1, self.pdf_document.pageCount() - 1))
        self.pdf_view.pageNavigator().jump(target, QPointF(), 0)
        # QtPdf searches asynchronously; the first result on the cited page is highlighted when it
        # arrives (``_on_search_results``). A scanned page has no text layer: it is shown unmarked.
        self._pdf_phrase = _search_phrase(passage)
        if self._pdf_phrase:
            self.pdf_search.setSearchString(self._pdf_phrase)
        return True

    @Slot(QModelIndex, int, int)
    def _on_search_results(self, _parent: QModelIndex, first: int, last: int) -> None:
        if self._pdf_result >= 0:
            return
        target = (self._page or 1) - 1
        for i in range(first, last + 1):
            if self.pdf_search.resultAtIndex(i).page() == target:
                self._pdf_result = i
                self.pdf_view.setCurrentSearchResultIndex(i)
                link = self.pdf_search.resultAtIndex(i)
                self.pdf_view.pageNavigator().jump(link.page(), link.location(), 0)
                return

    # -- other formats --------------------------------------------------------------------------

    def _show_text(self, path: str, page: int | None, passage: str) -> bool:
        suffix = Path(path).suffix.lower()
        try:
            if suffix in _MARKDOWN or suffix in _AS_IS:
                text, _ = decode_text(read_bytes(path, None))
                if suffix in _MARKDOWN:
                    self.text_view.setMarkdown(text)
                else:
                    self.text_view.setPlainText(text)
            else:
                self._render_sections(path)
        except DocumentError as exc:
            return self._fail(self.tr("This file cannot be shown: %1").replace("%1", exc.message))
        self.stack.setCurrentWidget(self.text_view)
        found = find_passage(self.text_view.toPlainText(), passage)
        if found is None:
            self.text_view.setExtraSelections([])
            self.text_view.moveCursor(QTextCursor.MoveOperation.Start)
            return False
        self._text_range = found
        self._highlight_text(*found)
        return True

    def _render_sections(self, path: str) -> None:
        """Headings and text of a parsed document (DOCX, PPTX, XLSX, EPUB, HTML, reStructuredText)."""
        doc = load_document(path, ocr=False)
        self.text_view.clear()
        cursor = QTextCursor(self.text_view.document())
        plain, bold = QTextCharFormat(), QTextCharFormat()
        bold.setFontWeight(700)
        last: tuple[tuple[str, ...], int | None] | None = None
        first = True
        for section in doc.sections:
            where = (section.heading_path, section.page)
            if where != last and (section.heading_path or section.page is not None):
                label = " > ".join(section.heading_path)
                if section.page is not None:
                    label = (label + " · " if label else "") + self.tr("page %1").replace(
                        "%1", str(section.page)
                    )
                if not first:
                    cursor.insertBlock()
                cursor.insertText(label, bold)
                cursor.insertBlock()
                first = False
            elif not first:
                cursor.insertBlock()
            last = where
            cursor.insertText(section.text, plain)
            cursor.insertBlock()
            first = False

    def _highlight_text(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.text_view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor  # type: ignore[attr-defined]
        selection.format.setBackground(HIGHLIGHT)  # type: ignore[attr-defined]
        self.text_view.setExtraSelections([selection])
        # Scroll so the passage starts near the top of the view, with a little context above it.
        at = QTextCursor(self.text_view.document())
        at.setPosition(start)
        self.text_view.setTextCursor(at)
        self.text_view.ensureCursorVisible()
        bar = self.text_view.verticalScrollBar()
        bar.setValue(
            bar.value() + self.text_view.cursorRect(at).top() - self.text_view.fontMetrics().height() * 2
        )

    def _fail(self, text: str) -> bool:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        return False

    @Slot()
    def _open_externally(self) -> None:
        if self._path:
            self.open_externally_requested.emit(self._path, self._page)


def _search_phrase(passage: str) -> str:
    """A phrase QtPdf can find on the page: the passage's first line of some length, cut at a word."""
    lines = [" ".join(line.split()) for line in passage.split("\n")]
    lines = [line for line in lines if len(line) >= 8 and not line.startswith("|")] or [
        line for line in lines if line
    ]
    if not lines:
        return ""
    phrase = lines[0]
    if len(phrase) > _SEARCH_CHARS:
        cut = phrase.rfind(" ", 0, _SEARCH_CHARS)
        phrase = phrase[: cut if cut > 20 else _SEARCH_CHARS]
    return phrase


__all__ = ["DocumentViewer"]
