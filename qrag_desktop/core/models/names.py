"""What a person calls a model, and which models a chosen folder holds.

The settings keep whatever was chosen (a Hugging Face id or a folder). A folder is often called
"model" or is a snapshot hash in the Hugging Face cache; the status bar and the first-run dialog
should name the model itself ("Qwen/Qwen3-Embedding-0.6B", "all-MiniLM-L6-v2"). Nothing here
loads a model: it reads a few small text files.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.models.loading import MODEL_MARKERS

# Folder names that say nothing about the model inside them.
_GENERIC_NAMES = {"model", "models", "snapshot", "snapshots", "main", "weights", "checkpoint", "files"}
_HASH = re.compile(r"^[0-9a-f]{40}$")
# The Hugging Face cache keeps a repo as models--<org>--<name>/snapshots/<commit>.
_HF_CACHE_REPO = re.compile(r"^models--(.+)$")
# Model-card titles that are the template's, not the model's.
_TEMPLATE_TITLE = re.compile(r"model card|model id|\{\{", re.IGNORECASE)
_SEARCH_DEPTH = 3


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cache_repo_id(folder: Path) -> str | None:
    """``…/models--Qwen--Qwen3-Embedding-0.6B/snapshots/<commit>`` → ``Qwen/Qwen3-Embedding-0.6B``."""
    for part in reversed(folder.parts):
        m = _HF_CACHE_REPO.match(part)
        if m:
            return m.group(1).replace("--", "/")
    return None


def _card_title(folder: Path) -> str | None:
    """The model card's first heading (sentence-transformers writes "# all-MiniLM-L6-v2")."""
    try:
        with open(folder / "README.md", encoding="utf-8") as f:
            head = f.read(20_000)
    except OSError:
        return None
    for line in head.splitlines():
        if line.startswith("# "):
            title = line[2:].strip()
            if title and len(title) <= 80 and not _TEMPLATE_TITLE.search(title):
                return title
            return None
    return None


def _configured_id(folder: Path) -> str | None:
    """``_name_or_path`` of config.json when it is a hub id (not a path on someone's disk)."""
    value = _read_json(folder / "config.json").get("_name_or_path")
    if isinstance(value, str) and value and not os.path.isabs(value) and value.count("/") <= 1:
        return value
    return None


def _folder_name(folder: Path) -> str:
    """The folder's own name, or its parent's when the folder is called "model" or is a hash."""
    for part in reversed(folder.parts):
        if part and part.lower() not in _GENERIC_NAMES and not _HASH.match(part):
            return part
    return str(folder)


def display_name(model: str) -> str:
    """A name a person recognises for ``model`` (a hub id or a folder); never an empty string."""
    model = model.strip()
    folder = Path(model).expanduser()
    if not model or not folder.is_dir():
        # A hub id: that is the name. A folder that is gone: its last meaningful part.
        return model if model.count("/") <= 1 and not os.path.isabs(model) else _folder_name(folder)
    return _cache_repo_id(folder) or _card_title(folder) or _configured_id(folder) or _folder_name(folder)


@dataclass(frozen=True)
class FoundModels:
    """The models found under a folder a person chose ("Choose a model folder…")."""

    embed: str | None = None
    rerank: str | None = None


def _is_model_folder(folder: Path) -> bool:
    return any((folder / marker).is_file() for marker in MODEL_MARKERS)


def model_role(folder: Path) -> str:
    """ "embed" or "rerank": sentence-transformers folders embed; a reranker says so in its name or is a
    causal-LM/classifier (Qwen3-Reranker is a causal LM with no sentence-transformers files)."""
    if (folder / "modules.json").is_file() or (folder / "config_sentence_transformers.json").is_file():
        return "embed"
    name = (display_name(str(folder)) + " " + str(folder)).lower()
    if "rerank" in name:
        return "rerank"
    if "embed" in name:
        return "embed"
    archs = _read_json(folder / "config.json").get("architectures") or []
    if any(str(a).endswith(("ForCausalLM", "ForSequenceClassification")) for a in archs):
        return "rerank"
    return "embed"


def find_models(folder: str | os.PathLike[str]) -> FoundModels:
    """The embedding and reranking models in ``folder``: the folder itself, or folders below it
    (a folder holding both models, or a copy of the Hugging Face cache). The first of each wins."""
    root = Path(folder).expanduser()
    found: dict[str, str] = {}
    queue: list[tuple[Path, int]] = [(root, 0)]
    while queue:
        current, depth = queue.pop(0)
        if _is_model_folder(current):
            found.setdefault(model_role(current), str(current.resolve()))
            continue  # a model's own subfolders (1_Pooling, ...) are parts of it
        if depth >= _SEARCH_DEPTH:
            continue
        try:
            children = sorted(p for p in current.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue
        queue.extend((c, depth + 1) for c in children)
    return FoundModels(found.get("embed"), found.get("rerank"))


__all__ = ["FoundModels", "display_name", "find_models", "model_role"]
