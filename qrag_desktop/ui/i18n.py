"""UI language: English in the source, Simplified Chinese from a compiled Qt translation (.qm)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QWidget

from qrag_desktop.core import messages

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"
LANGUAGES = ("system", "en", "zh_CN")

_installed: list[QTranslator] = []


def resolve_language(choice: str) -> str:
    """ "system" follows the OS locale: Chinese locales get Chinese, everything else English."""
    if choice in ("en", "zh_CN"):
        return choice
    name = QLocale.system().name()  # e.g. "zh_CN", "zh_TW", "en_US"
    return "zh_CN" if name.startswith("zh") else "en"


def install_language(choice: str) -> str:
    """Install the translators for ``choice`` (replacing earlier ones); returns the language in use.

    Installing sends a LanguageChange event to every widget, whose ``retranslate()`` then runs.
    """
    app = QCoreApplication.instance()
    lang = resolve_language(choice)
    # The core's messages (errors, notes, "CPU, 4 threads") are looked up in the same .qm.
    messages.set_translator(QCoreApplication.translate)
    if app is None:
        return lang
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang == "en":
        return lang
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"qrag_{lang}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("translation %s not found in %s", lang, I18N_DIR)
        return "en"
    qt = QTranslator(app)  # Qt's own dialogs and buttons (OK, Cancel, file picker)
    if qt.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return lang


__all__ = ["LANGUAGES", "TranslatedWidget", "install_language", "resolve_language"]


class TranslatedWidget(QWidget):
    """A widget whose texts are set in ``retranslate()``, which runs again when the language changes."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        raise NotImplementedError


# The window's controllers (not QObjects) call ``tr("...")``, imported as ``window_tr as tr``.
# pyside6-lupdate files a bare ``tr("...")`` call under the context with no name, so that is the
# context these strings are translated in: the README's lupdate command then keeps every one.
WINDOW_CONTEXT = ""


def window_tr(text: str) -> str:
    """Translate a string of the window's controllers (see ``WINDOW_CONTEXT``); call it as ``tr``."""
    return QCoreApplication.translate(WINDOW_CONTEXT, text)


tr = window_tr  # so that lupdate sees this module's own calls


def failure_text(exc: object, what: str) -> str:
    """A failed job's message for a person: ours as written, anything else as an unexpected error
    (logged with its traceback, as ``what`` failed)."""
    from qrag_desktop.core.errors import QragError

    if isinstance(exc, QragError):
        return exc.user_text()
    logging.getLogger("qrag_desktop.ui").error(
        "%s failed", what, exc_info=exc if isinstance(exc, BaseException) else None
    )
    return tr("Unexpected error: %1").replace("%1", str(exc))
