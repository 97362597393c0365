"""Find a model on disk: a local folder, or a Hugging Face id already in the local cache.

Loading never reaches the network; downloading is a separate, explicit step (``download.py``)
so the app can ask first, show progress and be cancelled.
"""

from __future__ import annotations

import os
from pathlib import Path

from huggingface_hub import snapshot_download
from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError, OfflineModeIsEnabled

from qrag_desktop.core.errors import ModelNotFoundError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

MODEL_MARKERS = ("config.json", "modules.json")


def _is_model_folder(path: Path) -> bool:
    return any((path / marker).is_file() for marker in MODEL_MARKERS)


def _looks_like_path(model: str) -> bool:
    """A Hugging Face id is "name" or "org/name"; anything else is meant as a folder."""
    return (
        Path(model).expanduser().is_absolute()
        or model.startswith((".", "~"))
        or "\\" in model
        or model.count("/") > 1
    )


def _not_on_disk(model: str, cause: BaseException | None = None) -> ModelNotFoundError:
    return ModelNotFoundError(
        QT_TRANSLATE_NOOP("core", "The model %1 is not on disk."),
        args=(repr(model),),
        cause=cause,
        hint=QT_TRANSLATE_NOOP(
            "core",
            "Download it once while connected to the internet, "
            "or choose a local folder that holds the model files in Settings.",
        ),
    )


def resolve_model(model: str | os.PathLike[str], *, cache_dir: str | Path | None = None) -> Path:
    """The folder holding ``model``: the folder itself, or its snapshot in the Hugging Face cache.

    ``cache_dir`` defaults to huggingface_hub's cache (``HF_HUB_CACHE`` / ``HF_HOME``).
    """
    model = os.fspath(model).strip()
    if not model:
        raise ModelNotFoundError(
            QT_TRANSLATE_NOOP("core", "No model is set."),
            hint=QT_TRANSLATE_NOOP("core", "Choose a model in Settings."),
        )
    local = Path(model).expanduser()
    if local.is_dir():
        if not _is_model_folder(local):
            raise ModelNotFoundError(
                QT_TRANSLATE_NOOP(
                    "core", "The folder %1 does not hold a model (no config.json or modules.json in it)."
                ),
                args=(repr(str(local)),),
                hint=QT_TRANSLATE_NOOP("core", "Choose the folder that contains the model's config.json."),
            )
        return local.resolve()
    if _looks_like_path(model):
        raise ModelNotFoundError(
            QT_TRANSLATE_NOOP("core", "The model folder %1 does not exist."),
            args=(repr(model),),
            hint=QT_TRANSLATE_NOOP(
                "core", "Choose an existing folder with the model files, or enter a Hugging Face model id."
            ),
        )
    try:
        folder = Path(snapshot_download(repo_id=model, cache_dir=cache_dir, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError, OfflineModeIsEnabled, FileNotFoundError) as exc:
        raise _not_on_disk(model, exc) from exc
    if not _is_model_folder(folder):
        raise _not_on_disk(model)
    return folder


def is_model_available(model: str | os.PathLike[str], *, cache_dir: str | Path | None = None) -> bool:
    """True when ``resolve_model`` would succeed (no network, no loading)."""
    try:
        resolve_model(model, cache_dir=cache_dir)
    except ModelNotFoundError:
        return False
    return True
