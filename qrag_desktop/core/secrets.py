"""Secrets (the OpenAI API key, a Milvus token): from the environment first, then the OS keychain.

They are never written to the settings file and never logged; only ``mask_key`` output may be shown.
"""

from __future__ import annotations

import logging
import os

import keyring
import keyring.errors

from qrag_desktop.core.errors import ConfigError

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
            f"No system keychain is available to store the {what}.",
            cause=exc,
            hint=f"Set the {env} environment variable instead, "
            "or install a keyring backend (e.g. GNOME Keyring or KWallet on Linux).",
        ) from exc
    except keyring.errors.KeyringError as exc:
        raise ConfigError(
            f"The system keychain refused to store the {what} ({type(exc).__name__}).",
            cause=exc,
            hint="Unlock the keychain and try again.",
        ) from exc


def _get(env: str, user: str) -> str | None:
    value = os.environ.get(env, "").strip()
    return value or _from_keychain(user)


def get_api_key() -> str | None:
    """The OpenAI API key: ``OPENAI_API_KEY`` first, then the keychain; None when neither has one."""
    return _get(OPENAI_ENV, OPENAI_USER)


def set_api_key(key: str | None) -> None:
    """Store the key in the keychain; None or "" deletes it. Raises ConfigError when no keychain works."""
    _to_keychain(OPENAI_USER, OPENAI_ENV, (key or "").strip() or None, "OpenAI API key")


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
    _to_keychain(MILVUS_USER, MILVUS_ENV, (token or "").strip() or None, "Milvus token")


def milvus_token_source() -> str:
    """Where the Milvus token in use comes from: "environment", "keychain" or "none"."""
    if os.environ.get(MILVUS_ENV, "").strip():
        return "environment"
    return "keychain" if _from_keychain(MILVUS_USER) else "none"


def mask_key(key: str | None) -> str:
    """A form safe to show: "sk-...abcd". Short values reveal nothing."""
    if not key:
        return ""
    if len(key) < 12:
        return "..."
    return f"{key[:3]}...{key[-4:]}"


__all__ = [
    "get_api_key",
    "get_milvus_token",
    "key_source",
    "mask_key",
    "milvus_token_source",
    "set_api_key",
    "set_milvus_token",
]
