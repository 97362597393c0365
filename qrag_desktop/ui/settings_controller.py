"""The Settings dialog's effects on the window: test a key, save a new one, apply new settings
(a new engine when the models change, a re-embedding run when the embedding changes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.settings import Settings
from qrag_desktop.ui.i18n import window_tr as tr

if TYPE_CHECKING:
    from qrag_desktop.ui.main_window import MainWindow
    from qrag_desktop.ui.settings_dialog import SettingsDialog


class SettingsController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: SettingsDialog | None = None

    @Slot()
    def open(self) -> None:
        from qrag_desktop.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.window.settings, self.window.api_key(), self.window)
        dlg.test_requested.connect(self._test_key)
        dlg.accepted.connect(self._apply_dialog)
        self.dialog = dlg
        dlg.open()

    @Slot(str, str, str)
    def _test_key(self, key: str, model: str, base_url: str) -> None:
        timeout = min(self.window.settings.answer_timeout_s, 20.0)

        def work() -> tuple[bool, str]:
            from qrag_desktop.core.answer import Answerer
            from qrag_desktop.core.errors import AnswerError

            try:
                return True, Answerer(
                    model=model or "gpt-4o", base_url=base_url or None, api_key=key, timeout_s=timeout
                ).check()
            except AnswerError as exc:
                return False, exc.user_text()

        job = self.window.jobs.create("test-key", work)
        job.returned.connect(self._on_key_tested)
        job.start()

    @Slot(object)
    def _on_key_tested(self, result: object) -> None:
        assert isinstance(result, tuple)
        ok, text = result
        if self.dialog is not None:
            self.dialog.show_test_result(str(text), bool(ok))

    @Slot()
    def _apply_dialog(self) -> None:
        dlg = self.dialog
        if dlg is None:
            return
        new_key = dlg.new_key()
        if new_key is not None:
            try:
                self.window.save_api_key(new_key or None)
            except QragError as exc:
                self.window.message(tr("API key"), exc.user_text(), warning=True)
        self.apply(dlg.settings())

    def apply(self, new: Settings) -> None:
        w = self.window
        old = w.settings
        embed_changed = (new.embed_model, new.embed_dim, new.query_instruction) != (
            old.embed_model,
            old.embed_dim,
            old.query_instruction,
        )
        reembed = False
        if embed_changed and w.status_bar.has_index:
            if w.confirm(
                tr("Index again?"),
                tr(
                    "The embedding model or vector size changed. Every passage must be embedded again,"
                    " which can take a while. Index again now?"
                ),
            ):
                reembed = True
            else:
                new = new.replace(
                    embed_model=old.embed_model,
                    embed_dim=old.embed_dim,
                    query_instruction=old.query_instruction,
                )
                embed_changed = False
        models_changed = embed_changed or (new.rerank_model, new.device, new.rerank_instruction) != (
            old.rerank_model,
            old.device,
            old.rerank_instruction,
        )
        if models_changed:
            w.replace_engine(new)
            w.keyword_only = False
        else:
            w.set_settings(new)
        if new.ui_language != old.ui_language:
            from qrag_desktop.ui.i18n import install_language

            install_language(new.ui_language)
        if new.device != old.device or new.ui_language != old.ui_language:
            w.status_bar.describe_device()  # its words are in the UI language too
        w.status_bar.render()
        if reembed:
            w.tabs.setCurrentWidget(w.indexing_view)
            w.indexing.start(reembed=True)


__all__ = ["SettingsController"]
