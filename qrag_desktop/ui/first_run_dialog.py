"""First run / missing model: download it, point to a folder that holds it, or search by keywords only."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def format_bytes(n: int | None) -> str:
    if not n:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit in ("B", "KB") else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n:.1f} GB"


class FirstRunDialog(QDialog):
    """Signals: ``download_requested()``, ``cancel_requested()``, ``folder_chosen(str)``,
    ``keyword_only_chosen()``.

    ``missing`` are (role, model id) pairs, role "embed" or "rerank".
    """

    download_requested = Signal()
    cancel_requested = Signal()
    folder_chosen = Signal(str)
    keyword_only_chosen = Signal()

    def __init__(
        self, missing: list[tuple[str, str]], sizes: dict[str, int | None], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models needed"))
        self.setMinimumWidth(520)
        self.missing = missing
        self._sizes = dict(sizes)
        embed_missing = any(role == "embed" for role, _ in missing)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
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
        self.folder_button.setVisible(embed_missing)
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
            lines.append(f"• {what}: <b>{model}</b> ({format_bytes(self._sizes.get(model))})")
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
        self.status.setText(message)

    def download_cancelled(self) -> None:
        self._downloading(False)
        self.status.setText(self.tr("Download cancelled. Downloading again continues where it stopped."))

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
        self._downloading(True)
        self.status.setText(self.tr("Connecting to the model hub…"))
        self.download_requested.emit()

    @Slot()
    def _on_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder that holds the embedding model")
        )
        if folder:
            self.folder_chosen.emit(folder)

    @Slot()
    def _on_keyword(self) -> None:
        self.keyword_only_chosen.emit()
        self.accept()
