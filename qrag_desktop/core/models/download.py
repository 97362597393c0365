"""Download a model into the Hugging Face cache, with progress, cancel and a bounded wait for the network.

Qt-free: the app runs ``download_model`` in a worker thread and forwards ``progress`` to a
progress bar. A partial download resumes (huggingface_hub keeps ``.incomplete`` files).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qrag_desktop.core.errors import Cancelled, ModelNotFoundError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

# Shown before the hub has told us the real size (and when it cannot be reached).
KNOWN_SIZES = {
    "Qwen/Qwen3-Embedding-0.6B": 1_200_000_000,
    "Qwen/Qwen3-Reranker-0.6B": 1_200_000_000,
}
NETWORK_TIMEOUT_S = 10.0

ProgressFn = Callable[[int, int], None]  # (bytes done, bytes total; 0 while unknown)
# The window's job runner drops Cancelled (the first-run dialog says so in its own words); marked
# all the same, so that any face that does show it shows it in the UI language.
_CANCELLED = QT_TRANSLATE_NOOP("core", "Download cancelled.")


class DownloadError(ModelNotFoundError):
    """A model could not be downloaded (no network, unknown id, disk full)."""


def model_size_bytes(model_id: str, *, timeout_s: float = NETWORK_TIMEOUT_S) -> int | None:
    """The download size from the hub, else a known size, else None. Never raises."""
    try:
        from huggingface_hub import HfApi

        info = HfApi().model_info(model_id, files_metadata=True, timeout=timeout_s)
        sizes = [s.size for s in (info.siblings or []) if s.size]
        if sizes:
            return int(sum(sizes))
    except Exception as exc:  # offline, unknown id: fall back to what we know
        log.info("size of %s not available from the hub: %s", model_id, type(exc).__name__)
    return KNOWN_SIZES.get(model_id)


def _check_reachable(model_id: str, timeout_s: float) -> None:
    """One small metadata call with a timeout, so no network means an error in seconds, not a hang."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import OfflineModeIsEnabled, RepositoryNotFoundError

    try:
        HfApi().model_info(model_id, timeout=timeout_s)
    except RepositoryNotFoundError as exc:
        raise DownloadError(
            QT_TRANSLATE_NOOP("core", "The model %1 does not exist on the model hub."),
            args=(repr(model_id),),
            cause=exc,
            hint=QT_TRANSLATE_NOOP("core", "Check the model id in Settings."),
        ) from exc
    except OfflineModeIsEnabled as exc:
        raise DownloadError(
            QT_TRANSLATE_NOOP(
                "core", "The model %1 cannot be downloaded: offline mode is on (HF_HUB_OFFLINE)."
            ),
            args=(repr(model_id),),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Unset HF_HUB_OFFLINE, or choose a local folder that holds the model."
            ),
        ) from exc
    except Exception as exc:  # DNS failure, refused, timeout, proxy: all mean "cannot reach the hub"
        raise DownloadError(
            QT_TRANSLATE_NOOP(
                "core", "The model %1 cannot be downloaded: the model hub (huggingface.co) cannot be reached."
            ),
            args=(repr(model_id),),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core", "Check the internet connection, or choose a local folder that holds the model."
            ),
        ) from exc


def download_model(
    model_id: str,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | Path | None = None,
    timeout_s: float = NETWORK_TIMEOUT_S,
) -> Path:
    """Fetch ``model_id`` into the cache and return its folder. Raises DownloadError or Cancelled."""
    from huggingface_hub import snapshot_download
    from tqdm.auto import tqdm

    stop = cancel or threading.Event()
    if stop.is_set():
        raise Cancelled(_CANCELLED)
    _check_reachable(model_id, timeout_s)

    class _Hook(tqdm):  # type: ignore[type-arg,misc]
        """huggingface_hub reports bytes through tqdm bars: forward them, check cancel, print nothing."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = True
            self._bytes = kwargs.get("unit") == "B" and "Reconstruct" in str(kwargs.get("desc", ""))
            super().__init__(*args, **kwargs)
            self._done = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            if stop.is_set():
                raise Cancelled(_CANCELLED)
            self._done += int(n or 0)
            if self._bytes and progress is not None:
                progress(self._done, int(self.total or 0))
            return None

    try:
        folder = snapshot_download(
            repo_id=model_id, cache_dir=cache_dir, tqdm_class=_Hook, etag_timeout=timeout_s
        )
    except Cancelled:
        raise
    except Exception as exc:  # network drop, disk full: the person needs words, the log the cause
        raise DownloadError(
            QT_TRANSLATE_NOOP("core", "The model %1 could not be downloaded."),
            args=(repr(model_id),),
            cause=exc,
            hint=QT_TRANSLATE_NOOP(
                "core",
                "Check the internet connection and free disk space, then try again: the download resumes.",
            ),
        ) from exc
    if stop.is_set():
        raise Cancelled(_CANCELLED)
    return Path(folder)


__all__ = ["KNOWN_SIZES", "DownloadError", "download_model", "model_size_bytes"]
