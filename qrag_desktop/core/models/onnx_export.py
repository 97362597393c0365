"""Export a checkpoint to ONNX once per machine, in a child process, for ONNX Runtime on the CPU.

On AVX2 laptops (no AMX, no AVX-512 BF16) ONNX Runtime runs the 0.6B models 2.3x (fp32) to 3x
(dynamic int8) as fast as torch fp32, in a third of the memory (see docs: "CPU backends on AVX2").
The graph is made here from the Hugging Face folder or cache the app already loads:

- ``torch.onnx.export(..., dynamo=False, opset_version=17)`` on a model loaded with eager
  attention (the exporter that reproduced torch to 1e-6 on both models);
- the embedder's graph ends in the pooling its sentence-transformers pipeline names (last token,
  correct only with left padding; mean; cls) and the L2 normalization when the pipeline has one;
- the reranker's graph returns the last position's ("no", "yes") logits only, not the 151k head;
- then ``quantize_dynamic`` (int8 weights per channel, MatMul only: never the embedding table,
  never the two-row answer head); the fp32 graph is kept as the fallback.

The export (``onnx_graphs``) runs in a spawned child (the same start method as the parser pool,
which a PyInstaller build supports through ``freeze_support``): the fp32 torch copy it needs (2.4 GB
for the 0.6B shape) goes back to the OS when the child ends, and a cancel kills it at once. It is written to a
temporary folder and renamed into place when complete, so an export that was killed, cancelled or
failed is never loaded; leftovers of dead exports are removed by the next one.

The cache key is the checkpoint's content hash (config and weight files; the hash itself is kept
per path/size/mtime, so a start does not re-read 1.2 GB) and the versions of torch, transformers,
onnx and onnxruntime.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from qrag_desktop.core.errors import Cancelled
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr
from qrag_desktop.core.models.device import configure_cpu_threads, pick_device
from qrag_desktop.core.models.loading import resolve_model
from qrag_desktop.core.models.numerics import decisions_path, wants_onnx
from qrag_desktop.core.types import Progress

log = logging.getLogger(__name__)

# Bump when the graphs or the quantization change: old exports are then made again.
EXPORT_FORMAT = 1
STEPS = 3  # load the model, export the fp32 graph, quantize to int8
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
META_FILE = "meta.json"  # written last: a folder without it is not an export
TOKENIZER_DIR = "tokenizer"
HASHED_SUFFIXES = (".json", ".safetensors", ".bin")
EXTERNAL_DATA_BYTES = 1_800_000_000  # protobuf's 2 GB limit, with a margin
_CONTEXT = multiprocessing.get_context("spawn")
_PREPARING = QT_TRANSLATE_NOOP("core", "Preparing the model for this computer, once: step %1 of %2")

# Exports started in this process (tests assert that a second load starts none).
exports_started = 0
# key -> why: an export that failed is not tried again in this process (the torch path serves).
_failed: dict[str, str] = {}
_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


class OnnxUnavailable(RuntimeError):
    """The ONNX path cannot serve this model here; the message says why, in one line."""


def onnx_root() -> Path:
    """Where exports are kept: beside the numeric decisions, in the user's cache (QRAG_CACHE_DIR)."""
    return decisions_path().parent / "onnx"


def package_version(name: str) -> str:
    """A package's version, or "missing" (part of the cache key: a new runtime means a new export)."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    try:  # a frozen build may carry the module without its metadata
        module = __import__(name)
    except Exception:
        return "missing"
    return str(getattr(module, "__version__", "unknown"))


def runtime_missing() -> str | None:
    """Why ONNX Runtime cannot be used here (one line), or None when it imports."""
    try:
        import onnxruntime  # noqa: F401
    except Exception as exc:  # ImportError, or a broken native library
        return f"onnxruntime does not import ({exc.__class__.__name__}: {exc})"
    return None


# -- the checkpoint's identity -----------------------------------------------------------------------


def _hashed_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in HASHED_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.parts)
    )


def checkpoint_hash(model_path: str | os.PathLike[str], *, cache: Path | None = None) -> str:
    """A hash of the checkpoint's config and weight files; each file's hash is remembered by its
    path, size and mtime, so only a changed file is read again."""
    folder = Path(model_path).resolve()
    cache = cache or onnx_root() / "hashes.json"
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
        known = known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    changed = False
    total = hashlib.sha256()
    for f in _hashed_files(folder):
        st = f.stat()
        stamp = [st.st_size, st.st_mtime_ns]
        entry = known.get(str(f))
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == stamp:
            digest = str(entry[2])
        else:
            h = hashlib.sha256()
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
            known[str(f)] = [*stamp, digest]
            changed = True
        total.update(f"{f.relative_to(folder).as_posix()}:{digest};".encode())
    if changed:
        with contextlib.suppress(OSError):  # best effort: hashing again next start is the cost
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, cache)
    return total.hexdigest()


def export_key(kind: str, model_path: str | os.PathLike[str]) -> str:
    versions = "|".join(f"{n}={package_version(n)}" for n in ("torch", "transformers", "onnx", "onnxruntime"))
    raw = f"v{EXPORT_FORMAT}|{kind}|{checkpoint_hash(model_path)}|{versions}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def export_dir(kind: str, model_path: str | os.PathLike[str]) -> Path:
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(model_path).name)[:60]
    return onnx_root() / f"{kind}-{name}-{export_key(kind, model_path)}"


def is_complete(folder: Path) -> bool:
    return (folder / META_FILE).is_file() and (folder / FP32_FILE).is_file()


def read_meta(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise OnnxUnavailable(f"the export in {folder} has no valid {META_FILE}")
    return data


# -- the parent's side: run the child, report, cancel, rename -----------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_dead_exports(root: Path) -> list[Path]:
    """Temporary folders of exports whose process is gone (killed, crashed): never used, removed."""
    removed: list[Path] = []
    for tmp in root.glob(".tmp-*"):
        try:
            pid = int(tmp.name.split("-")[-2])
        except (IndexError, ValueError):
            pid = -1
        if pid == os.getpid() or (pid > 0 and _pid_alive(pid)):
            continue
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp)
    return removed


def _key_lock(key: str) -> threading.Lock:
    with _key_locks_guard:
        return _key_locks.setdefault(key, threading.Lock())


def ensure_export(
    kind: str, model_path: str | os.PathLike[str], cancelled: Callable[[], bool] | None = None
) -> Generator[Progress, None, Path]:
    """The export folder for this checkpoint, made first when missing (a generator of Progress; its
    return value is the folder). ``cancelled`` is polled while the child works: when it turns true
    the child is killed, its folder removed, and ``Cancelled`` raised."""
    final = export_dir(kind, model_path)
    if is_complete(final):
        return final
    key = final.name
    if key in _failed:
        raise OnnxUnavailable(_failed[key])
    with _key_lock(key):  # another thread exporting the same model: wait for it, then reuse
        if is_complete(final):
            return final
        root = final.parent
        root.mkdir(parents=True, exist_ok=True)
        remove_dead_exports(root)
        tmp = root / f".tmp-{key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            yield from _run_child(kind, Path(model_path), tmp, cancelled or (lambda: False))
            try:
                os.rename(tmp, final)
            except OSError:
                if not is_complete(final):  # not another process that finished first
                    raise
        except OnnxUnavailable as exc:
            _failed[key] = str(exc)
            raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s %s to ONNX in %s", kind, Path(model_path).name, final)
    return final


def prepare_for_load(
    kind: str, model_id: str, device_pref: str, precision: str, control: JobControl | None = None
) -> Iterator[Progress]:
    """What loading the embedder or reranker (``kind``) needs first, with progress: on a CPU, the
    one-off ONNX export when this machine's format may be ONNX Runtime ("Preparing the model for
    this computer, once"); nothing on a GPU. Cancelled through ``control``."""
    path = resolve_model(model_id)
    device = pick_device(device_pref)
    if device != "cpu":
        return
    configure_cpu_threads()
    if wants_onnx(precision, kind=kind, model_path=path, device=device):
        cancelled = (lambda: control.cancelled) if control is not None else None
        yield from prepare_export(kind, path, cancelled)


def prepare_export(
    kind: str, model_path: str | os.PathLike[str], cancelled: Callable[[], bool] | None = None
) -> Iterator[Progress]:
    """``ensure_export`` for a model about to load: progress while it runs; a failure is remembered
    (the load then logs it in one line and the torch path serves), a cancel raises ``Cancelled``."""
    if runtime_missing() is not None:
        return
    try:
        yield from ensure_export(kind, model_path, cancelled)
    except OnnxUnavailable as exc:
        log.debug("%s export of %s failed: %s", kind, model_path, exc)


def _progress(step: int) -> Progress:
    return Progress("preparing", step, STEPS, tr(_PREPARING, step, STEPS))


def _run_child(kind: str, model_path: Path, out: Path, cancelled: Callable[[], bool]) -> Iterator[Progress]:
    from qrag_desktop.core.models.onnx_graphs import export_main

    global exports_started
    exports_started += 1
    conn, child_conn = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(
        target=export_main,
        args=(child_conn, kind, str(model_path), str(out)),
        name="qrag-onnx-export",
        daemon=True,
    )
    process.start()
    child_conn.close()
    try:
        yield _progress(1)
        while True:
            if cancelled():
                raise Cancelled()
            if not conn.poll(0.2):
                if not process.is_alive() and not conn.poll(0):
                    code = process.exitcode
                    raise OnnxUnavailable(f"the export process ended without a result (exit code {code})")
                continue
            try:
                msg = conn.recv()
            except (EOFError, OSError) as exc:
                raise OnnxUnavailable(f"the export process ended (exit code {process.exitcode})") from exc
            if msg[0] == "step":
                yield _progress(int(msg[1]))
            elif msg[0] == "ok":
                return
            else:
                raise OnnxUnavailable(f"the export failed: {msg[1]}")
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        conn.close()


__all__ = [
    "FP32_FILE",
    "INT8_FILE",
    "OnnxUnavailable",
    "checkpoint_hash",
    "ensure_export",
    "export_dir",
    "is_complete",
    "onnx_root",
    "prepare_export",
    "read_meta",
    "remove_dead_exports",
    "runtime_missing",
]
