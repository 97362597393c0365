"""Errors the engine raises: a message for a person, and the technical cause for the log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase, english, fill, shown, tr


class QragError(Exception):
    """Base error. ``message`` is shown to the user; ``cause`` (the original exception) goes to the log.

    ``message`` and ``hint`` may be templates with ``%1`` places filled from ``args``: then the
    window shows them translated (``user_text``), while ``message`` stays English for the log. An
    argument that is a ``Phrase`` is translated too.
    """

    def __init__(
        self,
        message: str,
        *,
        cause: BaseException | None = None,
        hint: str | None = None,
        args: Sequence[object] = (),
    ) -> None:
        self.template = message
        self.hint_template = hint
        self.message_args = tuple(a if isinstance(a, Phrase) else str(a) for a in args)
        in_english = [english(a) for a in self.message_args]
        self.message = fill(message, in_english)
        super().__init__(self.message)
        self.cause = cause
        self.hint = fill(hint, in_english) if hint else hint

    def _shown_args(self) -> tuple[str, ...]:
        return tuple(shown(a) for a in self.message_args)

    def user_message(self) -> str:
        """The message alone (no hint) in the UI language; never a secret."""
        from qrag_desktop.core.secrets import redact  # secrets imports this module

        return redact(tr(self.template, *self._shown_args()))

    def user_text(self) -> str:
        """Message and, when there is one, what to do about it, in the UI language; never a secret,
        whatever it quotes."""
        from qrag_desktop.core.secrets import redact  # secrets imports this module

        args = self._shown_args()
        text = tr(self.template, *args)
        if self.hint_template:
            text += " " + tr(self.hint_template, *args)
        return redact(text)


class ConfigError(QragError):
    """Settings are invalid or cannot be read/written."""


class DocumentError(QragError):
    """A single file could not be read or parsed. Indexing of other files goes on."""


class ModelNotFoundError(QragError):
    """A model id or folder is not available on disk (and cannot be downloaded now)."""


class ModelLoadError(QragError):
    """A model was found but could not be loaded (bad files, out of memory, wrong kind)."""


class StoreError(QragError):
    """The vector store failed."""


class StoreLockedError(StoreError):
    """Another process holds the local store."""


class StoreUnavailableError(StoreError):
    """The store cannot be opened or reached (damaged file, server down)."""


class DiskFullError(StoreError):
    """The disk holding the data dir is full: nothing is damaged, so nothing is moved away."""


class ModelMismatchError(StoreError):
    """The index was built with a different embedding model/dimension/instruction."""


class EngineClosedError(QragError):
    """The knowledge base was closed; its store and manifest are not reopened behind the closer's back."""


class AnswerError(QragError):
    """The answer model could not produce an answer (no key, no network, rejected key, timeout).

    ``request_sent`` is False when the question's text never left this computer (no key, server
    not reachable): the window then says that nothing was sent.
    """

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.request_sent = request_sent


class Cancelled(QragError):
    """A long job was cancelled by the user."""

    def __init__(self, message: str = QT_TRANSLATE_NOOP("core", "Cancelled.")) -> None:
        super().__init__(message)
