"""Secrets (the OpenAI API key, a Milvus token): from the environment first, then the OS keychain.

They are never written to the settings file and never logged; only ``mask_key`` output may be shown.
"""

from __future__ import annotations

import logging
import os
import re

import keyring
import keyring.errors

from qrag_desktop.core.errors import ConfigError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, Phrase

log = logging.getLogger(__name__)

SERVICE = "qrag-desktop"
OPENAI_USER = "openai-api-key"
OPENAI_ENV = "OPENAI_API_KEY"
MILVUS_USER = "milvus-token"
MILVUS_ENV = "QRAG_MILVUS_TOKEN"


def _from_keychain(user: str) -> str | None:
    """A missing or broken keychain reads as "no secret": the app still searches without one."""
    try:
        value = keyring.get_password(SERVICE, user)
    except keyring.errors.NoKeyringError:
        log.debug("No keychain backend is available; %s not read from it", user)
        return None
    except Exception as exc:  # any backend failure (locked, D-Bus gone, ...): never fatal for a read
        # Only the exception type: a backend's message could in principle echo what it handled.
        log.warning("Reading %s from the keychain failed: %s", user, type(exc).__name__)
        return None
    return value or None


def _to_keychain(user: str, env: str, value: str | None, what: str) -> None:
    try:
        if value:
            keyring.set_password(SERVICE, user, value)
            log.info("%s saved to the keychain", what)
            return
        try:
            keyring.delete_password(SERVICE, user)
            log.info("%s removed from the keychain", what)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already deleted
    except keyring.errors.NoKeyringError as exc:
        raise ConfigError(
            QT_TRANSLATE_NOOP("core", "No system keychain is available to store the %1."),
            args=(Phrase(what), env),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core",
                "Set the %2 environment variable instead, "
                "or install a keyring backend (e.g. GNOME Keyring or KWallet on Linux).",
            ),
        ) from exc
    except keyring.errors.KeyringError as exc:
        raise ConfigError(
            QT_TRANSLATE_NOOP("core", "The system keychain refused to store the %1 (%2)."),
            args=(Phrase(what), type(exc).__name__),
            cause=exc,
            hint=QT_TRANSLATE_NOOP("core", "Unlock the keychain and try again."),
        ) from exc


def _get(env: str, user: str) -> str | None:
    value = os.environ.get(env, "").strip()
    return _remember(value or _from_keychain(user))


def get_api_key() -> str | None:
    """The OpenAI API key: ``OPENAI_API_KEY`` first, then the keychain; None when neither has one."""
    return _get(OPENAI_ENV, OPENAI_USER)


def set_api_key(key: str | None) -> None:
    """Store the key in the keychain; None or "" deletes it. Raises ConfigError when no keychain works."""
    _to_keychain(
        OPENAI_USER, OPENAI_ENV, (key or "").strip() or None, QT_TRANSLATE_NOOP("core", "OpenAI API key")
    )


def key_source() -> str:
    """Where the OpenAI key in use comes from: "environment", "keychain" or "none"."""
    if os.environ.get(OPENAI_ENV, "").strip():
        return "environment"
    return "keychain" if _from_keychain(OPENAI_USER) else "none"


def get_milvus_token() -> str | None:
    """The Milvus server token: ``QRAG_MILVUS_TOKEN`` first, then the keychain; None when neither has one."""
    return _get(MILVUS_ENV, MILVUS_USER)


def set_milvus_token(token: str | None) -> None:
    """Store the Milvus token in the keychain; None or "" deletes it."""
    _to_keychain(
        MILVUS_USER, MILVUS_ENV, (token or "").strip() or None, QT_TRANSLATE_NOOP("core", "Milvus token")
    )


def milvus_token_source() -> str:
    """Where the Milvus token in use comes from: "environment", "keychain" or "none"."""
    if os.environ.get(MILVUS_ENV, "").strip():
        return "environment"
    return "keychain" if _from_keychain(MILVUS_USER) else "none"


# Anything shaped like a key, wherever it comes from (a server echoing the Authorization header,
# a library repeating a URI with credentials): OpenAI/Anthropic-style "sk-..." keys, bearer tokens.
_KEY_SHAPED = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})|(?<=Bearer )[^\s\"',;]{4,}", re.IGNORECASE)
REDACTED = "[redacted]"
_known: set[str] = set()  # secrets read in this process (keychain values are not in the environment)


def _remember(value: str | None) -> str | None:
    if value and len(value) >= 6:
        _known.add(value)
    return value


def redact(text: str) -> str:
    """``text`` with the API key, the Milvus token and any key-shaped token replaced by [redacted]."""
    if not text:
        return text
    known = set(_known)
    for env in (OPENAI_ENV, MILVUS_ENV):
        value = os.environ.get(env, "").strip()
        if len(value) >= 6:
            known.add(value)
    for value in sorted(known, key=len, reverse=True):  # longest first: one key may contain another
        text = text.replace(value, REDACTED)
    return _KEY_SHAPED.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """A handler filter: the message, its arguments and its traceback leave with secrets redacted.

    Put on every handler (the log file, stderr), so a library's log line is covered as well as ours.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string still gets logged, unformatted
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Add a RedactingFilter to each handler of ``logger`` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def mask_key(key: str | None) -> str:
    """A form safe to show: "sk-...abcd". Short values reveal nothing."""
    if not key:
        return ""
    if len(key) < 12:
        return "..."
    return f"{key[:3]}...{key[-4:]}"


__all__ = [
    "RedactingFilter",
    "get_api_key",
    "install_redaction",
    "get_milvus_token",
    "key_source",
    "mask_key",
    "milvus_token_source",
    "redact",
    "set_api_key",
    "set_milvus_token",
]
