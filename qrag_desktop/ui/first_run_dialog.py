"""First run / missing model: download it, point to a folder that holds it, or search by keywords only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.models.names import FoundModels, display_name, find_models
from qrag_desktop.core.settings import Settings

KEYWORD_ONLY = "keyword_only"  # Settings.models_choice after "Continue with keyword search only"


def models_to_ask_about(settings: Settings, embed_ok: bool, rerank_ok: bool) -> list[tuple[str, str]]:
    """The (role, model) pairs the first-run dialog should offer; empty: do not show it.

    A person who chose keyword search only is not asked again at every start (nor warned about the
    reranker, which is useless without an embedder); setting up a model in Settings asks afresh.
    """
    if settings.models_choice == KEYWORD_ONLY and not embed_ok:
        return []
    missing = []
    if not embed_ok:
        missing.append(("embed", settings.embed_model))
    if not rerank_ok and settings.rerank_enabled:
        missing.append(("rerank", settings.rerank_model))
    return missing


def format_bytes(n: int | None) -> str:
    if not n:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit in ("B", "KB") else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n:.1f} GB"


class FirstRunDialog(QDialog):
    """Signals: ``download_requested()``, ``cancel_requested()``, ``folder_chosen(str)`` (the embedding
    model's folder), ``rerank_folder_chosen(str)``, ``keyword_only_chosen()``.

    ``missing`` are (role, model id) pairs, role "embed" or "rerank". ``choice`` says what the person
    chose ("keyword_only", "folder", "download" or ""), for the window to remember in
    ``Settings.models_choice``; ``chosen_summary`` says in words which models a folder set.
    """

    download_requested = Signal()
    cancel_requested = Signal()
    folder_chosen = Signal(str)
    rerank_folder_chosen = Signal(str)
    keyword_only_chosen = Signal()

    def __init__(
        self, missing: list[tuple[str, str]], sizes: dict[str, int | None], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models needed"))
        self.setMinimumWidth(520)
        self.missing = missing
        self._sizes = dict(sizes)
        self.choice = ""
        self.chosen_summary = ""
        embed_missing = any(role == "embed" for role, _ in missing)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        # The layout's SetMinimumSize constraint overrides the dialog's own minimum width; this keeps
        # the text from wrapping into a tall, narrow column (seen in Chinese under Xvfb).
        self.intro.setMinimumWidth(480)
        self.models_label = QLabel()
        self.models_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("downloadStatus")
        self.status.setWordWrap(True)

        self.download_button = QPushButton()
        self.download_button.setObjectName("primary")
        self.cancel_button = QPushButton(self.tr("Cancel download"))
        self.cancel_button.hide()
        self.folder_button = QPushButton(self.tr("Choose a model folder…"))
        self.keyword_button = QPushButton(
            self.tr("Continue with keyword search only")
            if embed_missing
            else self.tr("Continue without reranking")
        )
        self.download_button.clicked.connect(self._on_download)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.folder_button.clicked.connect(self._on_folder)
        self.keyword_button.clicked.connect(self._on_keyword)

        if embed_missing:
            self.intro.setText(
                self.tr(
                    "To search by meaning, qrag-desktop needs its language models on this computer. They are"
                    " downloaded once and then work offline. Until then, keyword search works with no model."
                )
            )
        else:
            self.intro.setText(
                self.tr("The reranking model is not on this computer. Without it, results are not reranked.")
            )
        self._render_models()

        layout = QVBoxLayout(self)
        # The dialog grows with its message (a long download error) instead of cutting it off.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self.intro)
        layout.addWidget(self.models_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(self.folder_button)
        row2.addWidget(self.keyword_button)
        row2.addStretch(1)
        layout.addLayout(row2)

    def set_sizes(self, sizes: dict[str, int | None]) -> None:
        self._sizes.update(sizes)
        self._render_models()

    def _total(self) -> int:
        return sum(self._sizes.get(m) or 0 for _, m in self.missing)

    def _render_models(self) -> None:
        lines = []
        for role, model in self.missing:
            what = (
                self.tr("Embedding model (search by meaning)")
                if role == "embed"
                else self.tr("Reranking model")
            )
            name = display_name(model)
            lines.append(f"• {what}: <b>{name}</b> ({format_bytes(self._sizes.get(model))})")
        self.models_label.setText("<br>".join(lines))
        total = self._total()
        self.download_button.setText(
            self.tr("Download (%1)").replace("%1", format_bytes(total)) if total else self.tr("Download")
        )

    # -- driven by the window -----------------------------------------------------------------------
    def set_progress(self, done: int, total: int, model: str) -> None:
        self.progress.show()
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done, total) / total))
        else:
            self.progress.setRange(0, 0)
        self.status.setText(
            self.tr("Downloading %1: %2 of %3")
            .replace("%1", model)
            .replace("%2", format_bytes(done))
            .replace("%3", format_bytes(total or self._sizes.get(model)))
        )

    def download_failed(self, message: str) -> None:
        self._downloading(False)
        self.progress.hide()
        self._say(message)

    def download_cancelled(self) -> None:
        self._downloading(False)
        self._say(self.tr("Download cancelled. Downloading again continues where it stopped."))

    def _say(self, text: str) -> None:
        """Show ``text`` under the models and make room for all of it."""
        self.status.setText(text)
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()

    def download_finished(self) -> None:
        self._downloading(False)
        self.accept()

    def _downloading(self, on: bool) -> None:
        self.download_button.setEnabled(not on)
        self.cancel_button.setVisible(on)
        self.folder_button.setEnabled(not on)
        self.keyword_button.setEnabled(not on)

    @Slot()
    def _on_download(self) -> None:
        self.choice = "download"
        self._downloading(True)
        self.status.setText(self.tr("Connecting to the model hub…"))
        self.download_requested.emit()

    @Slot()
    def _on_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder that holds the models"), str(Path.home())
        )
        if folder:
            self.use_folder(folder)

    def use_folder(self, folder: str) -> FoundModels:
        """Set the models found in ``folder`` (itself, or folders below it holding both models).

        The reranker is taken from the folder too; what was set, and what was not found, is said
        in ``status`` and ``chosen_summary`` (the window shows it after the dialog closes).
        """
        found = find_models(folder)
        roles = {role for role, _ in self.missing}
        embed = found.embed if "embed" in roles else None
        rerank = found.rerank  # a reranker next to the embedder is taken even if only that was asked
        if not embed and not rerank:
            self._say(
                self.tr(
                    "No model was found in %1 (a model's folder holds a config.json). Choose the model's"
                    " folder, or a folder that holds the model folders."
                ).replace("%1", folder)
                if not found.embed
                else self.tr("No reranking model in that folder. Choose the reranking model's folder.")
            )
            return FoundModels()
        parts = []
        if embed:
            parts.append(self.tr("Embedding model: %1.").replace("%1", display_name(embed)))
        elif "embed" in roles:
            parts.append(self.tr("No embedding model in that folder."))
        if rerank:
            parts.append(self.tr("Reranking model: %1.").replace("%1", display_name(rerank)))
        elif "rerank" in roles:
            parts.append(
                self.tr("No reranking model in that folder: results are not reranked until one is set.")
            )
        self.choice = "folder"
        self.chosen_summary = " ".join(parts)
        self._say(self.chosen_summary)
        if rerank:
            self.rerank_folder_chosen.emit(rerank)
        if embed:
            self.folder_chosen.emit(embed)  # the window sets it up and closes the dialog
        elif "embed" not in roles:
            self.accept()
        return FoundModels(embed, rerank)

    @Slot()
    def _on_keyword(self) -> None:
        self.choice = KEYWORD_ONLY
        self.keyword_only_chosen.emit()
        self.accept()
