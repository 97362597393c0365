"""Settings dialog: the key test reports in words, a new embedding asks first, the language switches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from qrag_desktop.ui.main_window import MainWindow
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def _open_settings(qtbot, w):
    qtbot.mouseClick(
        w.toolbar.widgetForAction(w.settings_action), Qt.MouseButton.LeftButton
    )  # the toolbar's Settings… button
    qtbot.waitUntil(lambda: w.settings_dialog is not None and w.settings_dialog.isVisible(), timeout=5000)
    return w.settings_dialog


def _save(qtbot, dlg) -> None:
    box = dlg.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_key_test_button_reports_success_and_401_in_words(qtbot, make_window, openai_server):
    saved: list[str | None] = []
    w = make_window(check_models=False, key=None, api_key_saver=saved.append)  # no key in the keychain
    dlg = _open_settings(qtbot, w)
    assert dlg.base_url_edit.text() == openai_server.base_url
    dlg.key_edit.setText(openai_server.api_key)
    qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=20000)
    assert dlg.test_result.text().startswith("✔")
    assert "the key works" in dlg.test_result.text()

    dlg.key_edit.setText("sk-wrong-0000000000000000")
    qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=20000)
    assert dlg.test_result.text().startswith("✘")
    assert "key was rejected (401)" in dlg.test_result.text()
    assert openai_server.calls[-1][2] == "Bearer sk-wrong-0000000000000000"  # it really asked

    dlg.key_edit.setText(openai_server.api_key)
    _save(qtbot, dlg)
    assert saved == [openai_server.api_key]  # the key goes to the key saver (the keychain), nowhere else
    settings_file = (w.paths.config_dir / "settings.toml").read_text(encoding="utf-8")
    assert openai_server.api_key not in settings_file
    wait_idle(qtbot, w)


def _answer_next_question(qtbot, button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Click ``button`` on the question box that is about to open (it runs a local event loop)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, click)


def test_changing_the_embedding_asks_before_indexing_again(qtbot, make_window, docs):
    w = make_window(check_models=False)
    w.confirm = MainWindow.confirm.__get__(w)  # the real question box, answered below
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    assert w.engine.store.spec().dimension == 64

    asked: list[str] = []
    dlg = _open_settings(qtbot, w)
    dlg.dim_spin.setValue(32)
    _answer_next_question(qtbot, QMessageBox.StandardButton.No, asked)
    _save(qtbot, dlg)
    assert asked and "embedded again" in asked[0]
    assert w.settings.embed_dim is None  # "No" keeps the index and the model as they were
    assert w.indexing.job is None

    dlg = _open_settings(qtbot, w)
    dlg.dim_spin.setValue(32)
    _answer_next_question(qtbot, QMessageBox.StandardButton.Yes, asked)
    _save(qtbot, dlg)
    assert len(asked) == 2 and w.settings.embed_dim == 32
    assert w.tabs.currentWidget() is w.indexing_view
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    assert w.indexing_view._report.files_indexed == 3  # every file embedded again
    assert w.engine.store.spec().dimension == 32


def test_switching_language_in_settings_retranslates_the_window(qtbot, make_window):
    from qrag_desktop.ui.i18n import install_language

    w = make_window(check_models=False)
    assert w.tabs.tabText(0) == "Ask"
    try:
        dlg = _open_settings(qtbot, w)
        dlg.language_combo.setCurrentIndex(dlg.language_combo.findData("zh_CN"))
        _save(qtbot, dlg)
        qtbot.waitUntil(lambda: w.tabs.tabText(0) == "提问", timeout=5000)
        assert "私人知识库" in w.windowTitle()
        assert w.indexing_view.headline.text() != "Nothing is being indexed. Add a folder to start."
        assert w.settings.ui_language == "zh_CN"
        dlg = _open_settings(qtbot, w)  # the dialog itself now speaks Chinese
        assert dlg.windowTitle() == "设置"
        dlg.reject()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: w.tabs.tabText(0) == "Ask", timeout=5000)
    wait_idle(qtbot, w)
