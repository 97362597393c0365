"""Models load from a folder or from the Hugging Face cache by id, never from the network; a
missing model gives a message a person can act on. Device choice is honest."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import huggingface_hub.constants
import numpy as np
import pytest
import torch

from qrag_desktop.core.errors import ModelLoadError, ModelNotFoundError
from qrag_desktop.core.models import device as device_mod
from qrag_desktop.core.models.device import describe_device, pick_device
from qrag_desktop.core.models.embedder import Embedder
from qrag_desktop.core.models.loading import is_model_available, resolve_model

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_hf_cache(cache: Path, repo_id: str, model_dir: str) -> Path:
    """The layout huggingface_hub writes: models--org--name/{refs/main, snapshots/<commit>/files}."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / COMMIT
    for src in Path(model_dir).rglob("*"):
        dst = snapshot / src.relative_to(model_dir)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dst)  # the real cache links snapshot files to blobs
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    return snapshot


def test_missing_model_id_names_the_model_and_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("Qwen/Qwen3-Embedding-0.6B", cache_dir=tmp_path)
    err = info.value
    assert "Qwen/Qwen3-Embedding-0.6B" in err.message and "not on disk" in err.message
    assert "download" in err.user_text().lower() and "local folder" in err.user_text()
    assert not is_model_available("Qwen/Qwen3-Embedding-0.6B", cache_dir=tmp_path)


def test_missing_or_empty_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelNotFoundError, match="does not hold a model"):
        resolve_model(str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="No model"):
        resolve_model("  ")


def test_embedder_construction_is_cheap_and_loading_reports_a_missing_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    e = Embedder("org/not-downloaded")  # no error yet: nothing is loaded in __init__
    with pytest.raises(ModelNotFoundError, match="org/not-downloaded"):
        e.warm_up()


def test_local_folder_resolves(standin_embedder_path: str, standin_reranker_path: str) -> None:
    assert resolve_model(standin_embedder_path) == Path(standin_embedder_path).resolve()
    assert is_model_available(Path(standin_reranker_path))


def test_model_id_loads_from_the_hf_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin_embedder_path: str, standin_reranker_path: str
) -> None:
    snapshot = fake_hf_cache(tmp_path, "qrag-test/tiny-embedder", standin_embedder_path)
    # The published tokenizer_config does not ask for left padding; the embedder must set it itself.
    config_file = snapshot / "tokenizer_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    del config["padding_side"]
    config_file.unlink()
    config_file.write_text(json.dumps(config), encoding="utf-8")
    fake_hf_cache(tmp_path, "qrag-test/tiny-reranker", standin_reranker_path)
    assert resolve_model("qrag-test/tiny-embedder", cache_dir=tmp_path) == snapshot
    assert is_model_available("qrag-test/tiny-reranker", cache_dir=tmp_path)

    # As on a user's machine: the default cache (HF_HUB_CACHE), the id from settings.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    e = Embedder("qrag-test/tiny-embedder", device="cpu")
    assert e.model_id == "qrag-test/tiny-embedder"
    assert e.dimension == 64
    # Several threads may ask for the model at once (UI, indexer): it loads once.
    import sentence_transformers

    real_cls, calls = sentence_transformers.SentenceTransformer, []

    def counting(*args, **kwargs):
        calls.append(args)
        return real_cls(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counting)
    threads = [threading.Thread(target=e.warm_up) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(calls) == 1 and calls[0][0] == str(snapshot)
    assert e.tokenizer.padding_side == "left"
    v = e.embed_query("where is the cache?")
    assert v.shape == (64,) and float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-5)


def test_auto_device_prefers_cuda_then_mps_then_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_mod, "_mps_available", lambda: False)
    assert pick_device("auto") == "cpu"
    monkeypatch.setattr(device_mod, "_mps_available", lambda: True)
    assert pick_device("auto") == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto") == "cuda"


def test_unavailable_device_is_an_error_not_a_silent_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_mod, "_mps_available", lambda: False)
    with pytest.raises(ModelLoadError, match="CUDA"):
        pick_device("cuda")
    with pytest.raises(ModelLoadError, match="MPS"):
        pick_device("mps")
    with pytest.raises(ModelLoadError, match="Unknown device"):
        pick_device("tpu")
    assert pick_device("CPU") == "cpu"


def test_device_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    assert describe_device("cpu") == f"CPU, {torch.get_num_threads()} threads"
    assert describe_device("mps") == "Apple GPU (MPS)"
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=None: "NVIDIA GeForce RTX 4060")
    assert describe_device("cuda") == "CUDA: NVIDIA GeForce RTX 4060"
