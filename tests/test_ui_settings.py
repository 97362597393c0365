"""Settings dialog: the key test reports in words, a new embedding asks first, the language switches,
the OCR switch is saved and the next index run reads the scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QMessageBox,
    QStyle,
    QStyleOptionButton,
)

from qrag_desktop.ui.main_window import MainWindow
from tests.data_builders import write_scanned_pdf
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import standin_settings, wait_idle, wait_index_done, write_docs

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


def _click_box(qtbot, box: QCheckBox) -> None:
    """Click the check box's square, as a person does."""
    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    square = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=square.center())


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


def test_on_a_short_screen_the_settings_scroll_and_save_stays_in_view(qtbot, make_window):
    """The dialog is about 750 px tall; on a 1024x640 laptop screen its groups scroll instead of
    Save and Cancel falling off the bottom of the screen."""
    w = make_window(check_models=False)
    dlg = _open_settings(qtbot, w)
    dlg.fit_height(640)
    qtbot.waitUntil(lambda: dlg.height() <= 600)
    save = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    top_left = save.mapTo(dlg, save.rect().topLeft())
    assert save.isVisible() and dlg.rect().contains(QRect(top_left, save.size()))
    bar = dlg.groups_area.verticalScrollBar()
    assert bar.maximum() > 0 and dlg.language_combo.visibleRegion().isEmpty()
    bar.setValue(bar.maximum())  # scrolled to the end, the last group can be used
    qtbot.waitUntil(lambda: not dlg.language_combo.visibleRegion().isEmpty())
    dlg.fit_height(2000)  # a tall screen: everything shows at once
    qtbot.waitUntil(lambda: dlg.groups_area.verticalScrollBar().maximum() == 0)
    dlg.reject()


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
        assert dlg.ocr_check.text() == "读取扫描的 PDF 页面（OCR）"
        assert "每个扫描页需要数秒" in dlg.ocr_check.toolTip()  # says that it slows indexing
        dlg.reject()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: w.tabs.tabText(0) == "Ask", timeout=5000)
    wait_idle(qtbot, w)


def test_the_ocr_switch_is_saved_and_the_next_run_reads_the_scan(
    qtbot, make_window, tmp_path, standin_embedder_path, standin_reranker_path, openai_server
):
    from qrag_desktop.core.settings import load_settings

    folder = write_docs(tmp_path / "kb")
    write_scanned_pdf(folder / "scan.pdf", [["The quartermaster keeps the zephyrine ledger."]])
    s = standin_settings(standin_embedder_path, standin_reranker_path, openai_server, ocr_enabled=False)
    w = make_window(s, check_models=False)
    w.add_folders([str(folder)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    rows = {Path(r.path).name: r for r in w.indexing_view.model.rows()}
    assert rows["scan.pdf"].status == "failed" and "OCR is turned off" in (rows["scan.pdf"].error or "")

    dlg = _open_settings(qtbot, w)
    assert not dlg.ocr_check.isChecked()  # shows the saved setting
    assert "slower" in dlg.ocr_check.toolTip()
    _click_box(qtbot, dlg.ocr_check)
    assert dlg.ocr_check.isChecked()
    _save(qtbot, dlg)
    assert w.settings.ocr_enabled and load_settings(w.paths).ocr_enabled  # in settings.toml

    # The next run (Index again, nothing else changed) reads the scan that failed without OCR.
    qtbot.mouseClick(w.folders_panel.reindex_button, Qt.MouseButton.LeftButton)
    wait_index_done(qtbot, w, timeout=240000)
    wait_idle(qtbot, w)
    rows = {Path(r.path).name: r for r in w.indexing_view.model.rows()}
    assert rows["scan.pdf"].status == "done", rows["scan.pdf"].error
    assert w.indexing_view._report.files_indexed == 1  # the scan alone; the other files are unchanged
    hits = [h for h in w.engine.search("zephyrine", rerank=False).hits if "zephyrine" in h.text]
    assert [Path(h.path).name for h in hits] == ["scan.pdf"]  # its words are found

    dlg = _open_settings(qtbot, w)  # and off again
    assert dlg.ocr_check.isChecked()
    _click_box(qtbot, dlg.ocr_check)
    _save(qtbot, dlg)
    assert not load_settings(w.paths).ocr_enabled
    wait_idle(qtbot, w)
