"""The API key and Milvus token: environment first, then the keychain; never logged, never fatal to read."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from qrag_desktop.core import secrets
from qrag_desktop.core.errors import ConfigError

KEY = "sk-proj-SECRETsecret1234abcd"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keychain held in a dict.

    A stand-in, used only here: the CI machine has no OS keychain (no Secret Service / D-Bus; keyring
    picks its own ``fail.Keyring`` there), and writing to a developer's real keychain from tests would
    be worse. It implements keyring's backend interface, so the code under test goes through the real
    ``keyring`` API.
    """

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    """A keychain that is there but will not open (e.g. the user dismissed the unlock prompt)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("QRAG_MILVUS_TOKEN", raising=False)


def _use(backend: keyring.backend.KeyringBackend) -> Iterator[keyring.backend.KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from _use(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def no_keyring() -> Iterator[keyring.backend.KeyringBackend]:
    """keyring's own "no backend available" backend, what a headless Linux box gets."""
    yield from _use(fail.Keyring())


@pytest.fixture
def locked_keyring() -> Iterator[keyring.backend.KeyringBackend]:
    yield from _use(LockedKeyring())


def test_key_saved_in_keychain_is_read_back(memory_keyring: MemoryKeyring) -> None:
    assert secrets.get_api_key() is None
    assert secrets.key_source() == "none"

    secrets.set_api_key(KEY)

    assert memory_keyring.store == {("qrag-desktop", "openai-api-key"): KEY}
    assert secrets.get_api_key() == KEY
    assert secrets.key_source() == "keychain"


def test_environment_wins_over_keychain(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets.set_api_key(KEY)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-0000wxyz")

    assert secrets.get_api_key() == "sk-from-env-0000wxyz"
    assert secrets.key_source() == "environment"


@pytest.mark.parametrize("empty", [None, ""])
def test_setting_no_key_deletes_it(memory_keyring: MemoryKeyring, empty: str | None) -> None:
    secrets.set_api_key(KEY)
    secrets.set_api_key(empty)
    assert secrets.get_api_key() is None
    assert memory_keyring.store == {}
    secrets.set_api_key(empty)  # deleting what is not there is fine


def test_milvus_token_has_its_own_entry(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets.set_milvus_token("root:Milvus")
    secrets.set_api_key(KEY)

    assert memory_keyring.store[("qrag-desktop", "milvus-token")] == "root:Milvus"
    assert secrets.get_milvus_token() == "root:Milvus"
    assert secrets.milvus_token_source() == "keychain"
    monkeypatch.setenv("QRAG_MILVUS_TOKEN", "user:pw")
    assert secrets.get_milvus_token() == "user:pw"
    assert secrets.get_api_key() == KEY

    secrets.set_milvus_token(None)
    assert ("qrag-desktop", "milvus-token") not in memory_keyring.store


def test_without_a_keychain_reading_gives_none_and_saving_explains(no_keyring: object) -> None:
    assert secrets.get_api_key() is None
    assert secrets.get_milvus_token() is None
    assert secrets.key_source() == "none"

    with pytest.raises(ConfigError) as info:
        secrets.set_api_key(KEY)
    assert info.value.message == "No system keychain is available to store the OpenAI API key."
    assert "OPENAI_API_KEY" in (info.value.hint or "")
    assert KEY not in info.value.user_text()


def test_without_a_keychain_the_environment_still_works(
    no_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert secrets.get_api_key() == KEY
    assert secrets.key_source() == "environment"


def test_locked_keychain_reads_as_none_and_refuses_to_save(
    locked_keyring: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert secrets.get_api_key() is None
    with pytest.raises(ConfigError, match="refused to store the OpenAI API key"):
        secrets.set_api_key(KEY)
    assert "KeyringLocked" in caplog.text  # the log says what went wrong ...
    assert KEY not in caplog.text  # ... and never what the key is


def test_key_never_logged(memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets.set_api_key(KEY)
    secrets.get_api_key()
    secrets.key_source()
    secrets.set_api_key(None)
    assert caplog.records, "saving and deleting should be logged"
    assert KEY not in caplog.text
    assert KEY[-4:] not in caplog.text


def test_mask_key_shows_only_the_ends() -> None:
    assert secrets.mask_key(KEY) == "sk-...abcd"
    assert secrets.mask_key("short") == "..."  # too short to show any of it
    assert secrets.mask_key(None) == ""
    assert secrets.mask_key("") == ""
