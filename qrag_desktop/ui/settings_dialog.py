"""Settings: the answer model and its key, the local models, retrieval, reading scans (OCR) and the
UI language."""

from __future__ import annotations

import math
import os

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qrag_desktop.core.settings import DEFAULT_RERANK_BUDGET_S, Settings


def mask_key(key: str | None) -> str:
    """Like ``core.secrets.mask_key``, without importing keyring on the GUI thread's start path."""
    if not key:
        return ""
    return "..." if len(key) < 12 else f"{key[:3]}...{key[-4:]}"


def key_origin(key: str | None) -> str:
    """Where the key in use comes from: "environment" (OPENAI_API_KEY), "keychain" or "none"."""
    if not key:
        return "none"
    return "environment" if os.environ.get("OPENAI_API_KEY", "").strip() == key else "keychain"


class SettingsDialog(QDialog):
    """Signals: ``test_requested(str, str, str)`` with (key, model, base URL) to try one cheap call."""

    test_requested = Signal(str, str, str)

    def __init__(self, settings: Settings, current_key: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self._current_key = current_key
        self._key_cleared = False

        # -- answers ------------------------------------------------------------------------------
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_source = key_origin(current_key)
        self.key_edit.setPlaceholderText(
            {
                "environment": self.tr("From the environment (OPENAI_API_KEY): %1"),
                "keychain": self.tr("Saved in the system keychain: %1"),
            }.get(self.key_source, self.tr("sk-…")).replace("%1", mask_key(current_key))
        )
        self.clear_key_button = QPushButton(self.tr("Remove key"))
        # A key from the environment is not ours to remove: it comes back at the next start.
        self.clear_key_button.setEnabled(self.key_source == "keychain")
        self.clear_key_button.clicked.connect(self._clear_key)
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.clicked.connect(self._test)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.hide()  # no empty row under the key until there is a result
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.clear_key_button)
        key_row.addWidget(self.test_button)
        self.model_edit = QLineEdit(settings.openai_model)
        self.base_url_edit = QLineEdit(settings.openai_base_url or "")
        env_url = os.environ.get("OPENAI_BASE_URL", "").strip()
        self.base_url_edit.setPlaceholderText(
            self.tr("From the environment (OPENAI_BASE_URL): %1").replace("%1", env_url)
            if env_url
            else "https://api.openai.com/v1"
        )
        answers = QGroupBox(self.tr("Answers (cloud model)"))
        fa = QFormLayout(answers)
        fa.addRow(self.tr("OpenAI API key"), key_row)
        fa.addRow("", self.test_result)
        fa.addRow(self.tr("Model"), self.model_edit)
        fa.addRow(self.tr("Server address"), self.base_url_edit)
        hint = QLabel(self.tr("The key is kept in the system keychain, never in the settings file."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        fa.addRow("", hint)

        # -- local models -------------------------------------------------------------------------
        self.embed_edit = QLineEdit(settings.embed_model)
        self.rerank_edit = QLineEdit(settings.rerank_model)
        self.device_combo = QComboBox()
        for value, label in (
            ("auto", self.tr("Automatic")),
            ("cpu", self.tr("CPU")),
            ("cuda", self.tr("NVIDIA GPU (CUDA)")),
            ("mps", self.tr("Apple GPU (MPS)")),
        ):
            self.device_combo.addItem(label, value)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(settings.device)))
        self.dim_spin = QSpinBox()
        self.dim_spin.setRange(0, 4096)
        self.dim_spin.setSingleStep(32)
        self.dim_spin.setSpecialValueText(self.tr("Full size"))
        self.dim_spin.setValue(settings.embed_dim or 0)
        self.instruction_edit = QLineEdit(settings.query_instruction)
        for edit in (self.embed_edit, self.rerank_edit, self.instruction_edit):
            edit.setCursorPosition(0)  # show the start of a long path or sentence, not its end
            edit.setToolTip(edit.text())
        models = QGroupBox(self.tr("Local models"))
        fm = QFormLayout(models)
        fm.addRow(self.tr("Embedding model"), self._with_browse(self.embed_edit))
        fm.addRow(self.tr("Reranking model"), self._with_browse(self.rerank_edit))
        fm.addRow(self.tr("Device"), self.device_combo)
        self.dim_spin.setToolTip(
            self.tr(
                "Vector size (MRL): smaller vectors take less space and search a little faster, with"
                " slightly less accurate results. Changing it indexes everything again."
            )
        )
        fm.addRow(self.tr("Size of the stored vectors"), self.dim_spin)
        fm.addRow(self.tr("Task instruction"), self.instruction_edit)
        env_models = [v for v in ("QRAG_EMBED_MODEL", "QRAG_RERANK_MODEL") if os.environ.get(v)]
        self.models_source = QLabel(
            self.tr(
                "Set by the environment for this run: %1. Other values come from the settings file."
            ).replace("%1", ", ".join(env_models))
            if env_models
            else self.tr("These values come from the settings file.")
        )
        self.models_source.setObjectName("hint")
        self.models_source.setWordWrap(True)
        fm.addRow("", self.models_source)

        # -- retrieval ----------------------------------------------------------------------------
        self.candidates_spin = QSpinBox()
        self.candidates_spin.setRange(1, 500)
        self.candidates_spin.setValue(settings.candidates)
        self.top_k_spin = QSpinBox()
        self.top_k_spin.setRange(1, 50)
        self.top_k_spin.setValue(settings.top_k)
        self.rerank_check = QCheckBox(self.tr("Rerank the candidates with the reranking model"))
        self.rerank_check.setChecked(settings.rerank_enabled)
        retrieval = QGroupBox(self.tr("Search"))
        fr = QFormLayout(retrieval)
        self.candidates_spin.setToolTip(
            self.tr(
                "Candidates per method: how many passages keyword search and meaning search each find"
                " before they are merged and reranked. More finds more, but answers a little slower."
            )
        )
        fr.addRow(self.tr("Passages looked at per search"), self.candidates_spin)
        fr.addRow(self.tr("Passages per answer"), self.top_k_spin)
        fr.addRow("", self.rerank_check)
        self._add_budget_row(fr, settings)

        # -- indexing -----------------------------------------------------------------------------
        self.ocr_check = QCheckBox(self.tr("Read scanned PDF pages (OCR)"))
        self.ocr_check.setChecked(settings.ocr_enabled)
        self.ocr_check.setToolTip(
            self.tr(
                "OCR reads the text of PDF pages that are only a scanned image, on this computer;"
                " nothing is sent anywhere. It makes indexing slower: seconds per scanned page."
                " Scans that failed while it was off are read at the next index run."
            )
        )
        indexing = QGroupBox(self.tr("Indexing"))
        fi = QFormLayout(indexing)
        fi.addRow("", self.ocr_check)

        # -- language -----------------------------------------------------------------------------
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("Same as the system"), "system")
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.ui_language)))
        appearance = QGroupBox(self.tr("Language"))
        fl = QFormLayout(appearance)
        fl.addRow(self.tr("Interface language"), self.language_combo)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # The groups scroll when the screen is shorter than they are (the dialog is about 770 px
        # tall in Chinese; a laptop screen may offer 700 or less); Save and Cancel stay in view.
        content = QWidget()
        groups = QVBoxLayout(content)
        groups.setContentsMargins(0, 0, 0, 0)
        for box in (answers, models, retrieval, indexing, appearance):
            groups.addWidget(box)
        self.groups_area = QScrollArea()
        self.groups_area.setWidget(content)
        self.groups_area.setWidgetResizable(True)
        self.groups_area.setFrameShape(QFrame.Shape.NoFrame)
        self.groups_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._buttons, self._groups = buttons, content
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.groups_area, 1)
        self._layout.addWidget(buttons)
        screen = self.screen() if parent is None else parent.screen()
        self.fit_height(screen.availableGeometry().height() if screen is not None else 10_000)

    def fit_height(self, available: int) -> None:
        """As tall as the groups need, but no taller than ``available`` pixels (the screen's room,
        less the title bar): what does not fit scrolls."""
        m = self._layout.contentsMargins()
        hint = self._groups.sizeHint()
        wanted = (
            hint.height() + m.top() + m.bottom() + self._layout.spacing() + self._buttons.sizeHint().height()
        )
        self.resize(max(620, hint.width() + m.left() + m.right()), min(wanted, max(300, available - 40)))

    def _add_budget_row(self, form: QFormLayout, settings: Settings) -> None:
        """Seconds reranking may take per question; 0 shows as "Default" (a CPU default, no limit on
        a GPU). A saved value the box cannot show (0.001, inf) is kept unless it is changed here."""
        self.budget_spin = QDoubleSpinBox()
        self.budget_spin.setRange(0.0, 3600.0)
        self.budget_spin.setDecimals(1)
        self.budget_spin.setSingleStep(0.5)
        self.budget_spin.setSpecialValueText(self.tr("Default"))
        saved = settings.rerank_budget_s
        self._budget_kept = saved if saved is not None and saved > 0 else None  # 0 or less: Default
        # A value under the box's step shows as the step (never as "Default"); the hint says the real one.
        self.budget_spin.setValue(max(self._budget_kept, 0.1) if self._budget_kept is not None else 0.0)
        self._budget_shown = self.budget_spin.value()
        self.budget_spin.setToolTip(
            self.tr(
                "How long the reranking model may take per question. Passages it has not read by then"
                " keep their keyword and meaning order, below the reranked ones; none are left out."
                " Default: %1 s on a CPU, no limit on a GPU."
            ).replace("%1", f"{DEFAULT_RERANK_BUDGET_S:g}")
        )
        self.budget_source = QLabel()
        self.budget_source.setObjectName("hint")
        self.budget_source.setWordWrap(True)
        self.budget_spin.valueChanged.connect(self._show_budget_source)
        self.rerank_check.toggled.connect(self.budget_spin.setEnabled)
        self.budget_spin.setEnabled(self.rerank_check.isChecked())
        self._show_budget_source()
        form.addRow(self.tr("Time for reranking (seconds)"), self.budget_spin)
        form.addRow("", self.budget_source)

    @Slot()
    def _show_budget_source(self) -> None:
        value = self.budget_spin.value()
        if value == 0:
            text = self.tr("Default: %1 s on a CPU, no limit on a GPU.").replace(
                "%1", f"{DEFAULT_RERANK_BUDGET_S:g}"
            )
        elif value == self._budget_shown and self._budget_kept == math.inf:
            text = self.tr("From the settings file: no limit.")
        elif value == self._budget_shown and self._budget_kept is not None:
            text = self.tr("From the settings file: at most %1 s per question.").replace(
                "%1", f"{self._budget_kept:g}"
            )
        else:
            text = self.tr("At most %1 s per question, on a CPU or a GPU.").replace("%1", f"{value:g}")
        self.budget_source.setText(text)

    def rerank_budget_s(self) -> float | None:
        """The budget to save: None for Default."""
        value = self.budget_spin.value()
        if value == self._budget_shown and self._budget_kept is not None:
            return self._budget_kept
        return value or None

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        b = QPushButton(self.tr("Folder…"))
        b.setToolTip(self.tr("Use a model from a folder on this computer instead of a model id."))

        def browse() -> None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the folder that holds the model"))
            if folder:
                edit.setText(folder)

        b.clicked.connect(browse)
        row.addWidget(b)
        return w

    @Slot()
    def _clear_key(self) -> None:
        self._key_cleared = True
        self.key_edit.clear()
        self.key_edit.setPlaceholderText(self.tr("No key (it will be removed when you save)"))
        self.clear_key_button.setEnabled(False)

    @Slot()
    def _test(self) -> None:
        key = self.key_edit.text().strip() or ("" if self._key_cleared else (self._current_key or ""))
        self.test_result.setText(self.tr("Testing…"))
        self.test_result.show()
        self.test_button.setEnabled(False)
        self.test_requested.emit(key, self.model_edit.text().strip(), self.base_url_edit.text().strip())

    def show_test_result(self, text: str, ok: bool) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("✔ " if ok else "✘ ") + text)
        self.test_result.setProperty("ok", ok)
        self.test_result.setStyleSheet("color: #2e7d32;" if ok else "color: #c62828;")

    # -- result -------------------------------------------------------------------------------------
    def new_key(self) -> str | None:
        """The key typed in, "" to remove the saved one, None to keep it as it is."""
        typed = self.key_edit.text().strip()
        if typed:
            return typed
        return "" if self._key_cleared else None

    def settings(self) -> Settings:
        s = self._settings
        dim = self.dim_spin.value()
        return s.replace(
            openai_model=self.model_edit.text().strip() or s.openai_model,
            openai_base_url=self.base_url_edit.text().strip() or None,
            embed_model=self.embed_edit.text().strip() or s.embed_model,
            rerank_model=self.rerank_edit.text().strip() or s.rerank_model,
            device=str(self.device_combo.currentData()),
            embed_dim=dim or None,
            query_instruction=self.instruction_edit.text().strip() or s.query_instruction,
            candidates=self.candidates_spin.value(),
            top_k=self.top_k_spin.value(),
            rerank_enabled=self.rerank_check.isChecked(),
            rerank_budget_s=self.rerank_budget_s(),
            ocr_enabled=self.ocr_check.isChecked(),
            ui_language=str(self.language_combo.currentData()),
        )
