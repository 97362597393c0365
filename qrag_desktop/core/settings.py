"""Typed settings, stored as TOML; where data, config and logs live.

Secrets (the OpenAI key, a Milvus token) are never part of these settings: they come from the
environment or the OS keychain (see ``secrets.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from qrag_desktop import APP_NAME
from qrag_desktop.core.errors import ConfigError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP
from qrag_desktop.core.storage import explain_os_error

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_VERSION = 1
DEFAULT_EMBED_MODEL = "Qwen/Qwen3-Embedding-0.6B"
DEFAULT_RERANK_MODEL = "Qwen/Qwen3-Reranker-0.6B"
DEFAULT_TASK = "Given a web search query, retrieve relevant passages that answer the query"
SETTINGS_FILE = "settings.toml"
# Seconds the reranker may spend on one question on a CPU when ``rerank_budget_s`` is left at its
# default: the one place this figure lives. It is measured by `qrag bench` (the budgeted rerank and
# search_rerank_p95_ms on a 2-core AVX2 machine, idle), so that a reranked answer starts within
# about 4 s; 2.5 s stands until that measurement is made.
DEFAULT_RERANK_BUDGET_S = 2.5


@dataclass(frozen=True)
class FolderSetting:
    path: str
    local_only: bool = False  # passages from here are searchable but never sent to the cloud model


@dataclass(frozen=True)
class Settings:
    schema_version: int = SCHEMA_VERSION
    # models
    embed_model: str = DEFAULT_EMBED_MODEL
    rerank_model: str = DEFAULT_RERANK_MODEL
    rerank_enabled: bool = True
    # What the person chose in the first-run dialog: "" (not asked yet, or a model was set up) or
    # "keyword_only" (search by keywords; do not ask about models at every start).
    models_choice: str = ""
    device: str = "auto"  # auto, cpu, cuda, mps
    numeric: str = "auto"  # auto (measured, quality-guarded), fp32, bf16, int8, onnx-int8, onnx-fp32
    embed_dim: int | None = None  # Matryoshka truncation (32..1024); None = the model's full size
    query_instruction: str = DEFAULT_TASK
    rerank_instruction: str = DEFAULT_TASK
    # chunking
    chunk_tokens: int = 384
    chunk_overlap: int = 48
    # retrieval
    candidates: int = 30  # per recall method, fused with RRF
    rerank_candidates: int = 20  # how many fused hits the cross-encoder reads
    # Seconds reranking may take per question (see rerank_budget_for): None = the default, which is
    # DEFAULT_RERANK_BUDGET_S on a CPU and no limit on a GPU; a number > 0 bounds it on any device;
    # inf = no limit. 0 or less is refused with a ConfigError when a question is asked.
    rerank_budget_s: float | None = None
    top_k: int = 5
    # store
    milvus_uri: str | None = None  # None: the local Milvus Lite file in the data dir
    collection: str = "knowledge"
    # answer
    openai_model: str = "gpt-4o"
    openai_base_url: str | None = None
    answer_timeout_s: float = 60.0
    # indexing
    max_file_mb: float = 50.0
    index_batch_chunks: int = 64  # files are committed in groups of about this many chunks
    ocr_enabled: bool = True  # read PDF pages without a text layer by local OCR (seconds per page)
    folders: tuple[FolderSetting, ...] = ()
    ui_language: str = "system"  # system, en, zh_CN

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["folders"] = [dataclasses.asdict(f) for f in self.folders]
        return {k: v for k, v in d.items() if v is not None}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                continue  # settings written by a newer version: ignore unknown keys, keep going
            if key == "folders":
                value = tuple(
                    FolderSetting(path=str(f["path"]), local_only=bool(f.get("local_only", False)))
                    for f in value
                )
            kwargs[key] = value
        kwargs["schema_version"] = SCHEMA_VERSION
        return cls(**kwargs)


@dataclass(frozen=True)
class Paths:
    """Where one knowledge base keeps its files."""

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / SETTINGS_FILE

    @property
    def store_path(self) -> Path:
        return self.data_dir / "index.db"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.sqlite"

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite"

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> Paths:
        """``--data-dir`` or ``QRAG_DATA_DIR`` moves everything (data, settings, logs) under one folder."""
        chosen = data_dir or os.environ.get("QRAG_DATA_DIR")
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root, config_dir=root, log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    def ensure(self) -> Paths:
        """Create the folders and check that the data folder can be written; a read-only disk, a
        folder without permission or a file in the way is one StoreUnavailableError naming it."""
        for p in (self.data_dir, self.config_dir, self.log_dir):
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise explain_os_error(
                    exc, p, QT_TRANSLATE_NOOP("core", "The data folder cannot be created")
                ) from exc
        try:  # an existing folder on a read-only disk or without permission: found here, not later
            with tempfile.TemporaryFile(dir=self.data_dir):
                pass
        except OSError as exc:
            raise explain_os_error(
                exc, self.data_dir, QT_TRANSLATE_NOOP("core", "The data folder cannot be written")
            ) from exc
        return self


def rerank_budget_for(value: object, device: str) -> float | None:
    """The reranking time budget in seconds on ``device`` ("cpu", "cuda", "mps"...), None for no limit.

    Checked where it is used rather than when the file is read, so one bad value never sets the
    whole settings file aside (as with the chunk size).
    """
    if value is None:
        return DEFAULT_RERANK_BUDGET_S if device == "cpu" else None
    return checked_rerank_budget(value)


def checked_rerank_budget(value: object) -> float | None:
    """A budget given in seconds: a number > 0 (inf: no limit, None); anything else is refused."""
    budget = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        budget = float(value)
    if not budget > 0:  # also NaN and anything that is not a number
        raise ConfigError(
            QT_TRANSLATE_NOOP("core", "The time for reranking must be more than 0 seconds, not %1."),
            hint=QT_TRANSLATE_NOOP(
                "core", "Set it to Default in Settings, or to a number of seconds such as 2.5."
            ),
            args=(value,),
        )
    return None if math.isinf(budget) else budget


def load_settings(paths: Paths) -> Settings:
    """Read settings; a missing file gives defaults. A damaged one is set aside and reported with
    SettingsSetAside (a ConfigError): the next call gives defaults."""
    f = paths.settings_file
    if not f.exists():
        return Settings()
    try:
        text = f.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            QT_TRANSLATE_NOOP("core", "The settings file %1 could not be read: %2."),
            args=(f, exc.strerror or exc),
            cause=exc,
            hint=QT_TRANSLATE_NOOP("core", "Check its permissions."),
        ) from exc
    try:
        return Settings.from_dict(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, TypeError, KeyError, ValueError) as exc:
        # Set aside, never left in the way (a later save would overwrite it) nor deleted.
        from qrag_desktop.core.sqlite_files import set_aside

        try:
            aside = set_aside(f)
        except OSError as move:
            raise ConfigError(
                QT_TRANSLATE_NOOP("core", "The settings file %1 is damaged and could not be set aside."),
                args=(f,),
                cause=move,
                hint=QT_TRANSLATE_NOOP("core", "Fix or delete it; defaults will be used when it is gone."),
            ) from exc
        raise SettingsSetAside(
            QT_TRANSLATE_NOOP(
                "core", "The settings file %1 was damaged; it was set aside as %2 and the defaults are used."
            ),
            args=(f, aside.name),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Your folders are still indexed; add them again to keep them in the list."
            ),
        ) from exc


class SettingsSetAside(ConfigError):
    """The settings file was damaged and renamed; the caller goes on with ``Settings()``."""


def save_settings(paths: Paths, settings: Settings, env: dict[str, str] | None = None) -> None:
    """Write atomically so a crash mid-write never leaves a half file.

    Values that came from the environment (``apply_env``) are for this run only: the file keeps
    what it had for them.
    """
    overrides = _env_overrides(dict(os.environ) if env is None else env)
    kept = {k: v for k, v in overrides.items() if getattr(settings, k) == v}
    if kept:
        try:
            on_disk = load_settings(paths)
        except ConfigError:
            on_disk = Settings()
        settings = settings.replace(**{k: getattr(on_disk, k) for k in kept})
    f = paths.settings_file
    tmp = f.with_suffix(".toml.tmp")
    try:
        paths.config_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(tomli_w.dumps(settings.to_dict()), encoding="utf-8")
        os.replace(tmp, f)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise explain_os_error(exc, f, QT_TRANSLATE_NOOP("core", "The settings cannot be saved")) from exc


def apply_env(settings: Settings, env: dict[str, str] | None = None) -> Settings:
    """Environment overrides (QRAG_EMBED_MODEL, QRAG_RERANK_MODEL, QRAG_MILVUS_URI) for this run only."""
    changes = _env_overrides(dict(os.environ) if env is None else env)
    return settings.replace(**changes) if changes else settings


_ENV_SETTINGS = {
    "QRAG_EMBED_MODEL": "embed_model",
    "QRAG_RERANK_MODEL": "rerank_model",
    "QRAG_MILVUS_URI": "milvus_uri",
}


def _env_overrides(env: dict[str, str]) -> dict[str, Any]:
    return {field: env[var] for var, field in _ENV_SETTINGS.items() if env.get(var)}


__all__ = [
    "DEFAULT_EMBED_MODEL",
    "DEFAULT_RERANK_BUDGET_S",
    "DEFAULT_RERANK_MODEL",
    "DEFAULT_TASK",
    "FolderSetting",
    "Paths",
    "Settings",
    "SettingsSetAside",
    "apply_env",
    "checked_rerank_budget",
    "load_settings",
    "rerank_budget_for",
    "save_settings",
]
