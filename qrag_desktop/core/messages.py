"""Messages the core writes for a person, in English, translated by the face that shows them.

The core imports no Qt. A message is an English template with Qt-style ``%1`` places, marked with
``QT_TRANSLATE_NOOP("core", ...)`` so that ``pyside6-lupdate`` collects it into the translation
file like the window's own strings. The window installs a translator (``set_translator``) that
looks templates up in the loaded .qm; the command line installs none and stays in English.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

CONTEXT = "core"
_PLACE = re.compile(r"%(\d+)")

_translator: Callable[[str, str], str] | None = None
_lock = threading.Lock()


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks ``text`` for translation in ``context``; returns it unchanged."""
    return text


class Phrase(str):
    """A piece of a message translated on its own where it is shown (an action such as "search",
    put into "Could not %1 ..."): mark it ``Phrase(QT_TRANSLATE_NOOP("core", "search"))``.

    A phrase may have ``%1`` places of its own, filled from ``args`` (which may be phrases too):
    ``Phrase(QT_TRANSLATE_NOOP("core", "The %1 cannot be created"), Phrase(what))``.
    """

    args: tuple[object, ...]

    def __new__(cls, template: str, *args: object) -> Phrase:
        self = super().__new__(cls, template)
        self.args = args
        return self


def english(arg: object) -> str:
    """``arg`` as the log and the command line show it (a phrase filled in, untranslated)."""
    if isinstance(arg, Phrase):
        return fill(str(arg), [english(a) for a in getattr(arg, "args", ())])
    return str(arg)


def shown(arg: object) -> str:
    """``arg`` as the window shows it: a phrase translated (and its own places filled) too."""
    if isinstance(arg, Phrase):
        return tr(str(arg), *(shown(a) for a in getattr(arg, "args", ())))
    return str(arg)


def set_translator(translate: Callable[[str, str], str] | None) -> None:
    """``translate(context, template)`` returns the template in the UI language (None: English)."""
    global _translator
    with _lock:
        _translator = translate


def fill(template: str, args: Sequence[object] = ()) -> str:
    """Put ``args`` into the ``%1``, ``%2``... places (in one pass: an argument's own "%2" stays)."""
    if not args:
        return template

    def repl(m: re.Match[str]) -> str:
        i = int(m.group(1)) - 1
        return str(args[i]) if 0 <= i < len(args) else m.group(0)

    return _PLACE.sub(repl, template)


def tr(template: str, *args: object) -> str:
    """``template`` in the UI language, with ``args`` filled in."""
    translate = _translator
    text = template
    if translate is not None:
        try:
            text = translate(CONTEXT, template) or template
        except Exception:  # a translation must never hide the message itself
            text = template
    return fill(text, args)


__all__ = ["CONTEXT", "QT_TRANSLATE_NOOP", "Phrase", "english", "fill", "set_translator", "shown", "tr"]
