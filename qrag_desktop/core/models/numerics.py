"""Which numeric format a model runs in: measured once on this machine, guarded by quality.

On a CPU the 0.6B models are the whole cost of indexing and reranking. Dynamic int8 quantization of
the linear layers is about twice as fast as fp32 on AVX2 CPUs; bf16 is three to four times as fast
on CPUs with AMX tiles (and emulated, slower than fp32, on CPUs without native bf16). Which one wins
depends on the CPU, so ``choose_format`` times a small workload in each candidate format, keeps the
fastest whose outputs still agree with fp32 (embeddings: cosine >= 0.99; reranker: the same top-5
order, near-ties aside), and remembers the decision per (model, device, torch version) in a small
JSON file, so the measurement is paid once. A decision measured while other programs kept the CPU
busy is used but not saved (their load skews the timings), so the next start measures again. On a
GPU the choice is fixed: bf16 where supported, else fp16.

One file over 400 lines on purpose: the candidate formats, their timing and the quality guard
make one decision, and each check must see the same inputs as the timing it guards.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import inspect
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import platformdirs
import torch

from qrag_desktop.core.errors import ConfigError

log = logging.getLogger(__name__)

NUMERIC_CHOICES = ("auto", "fp32", "bf16", "int8", "onnx-int8", "onnx-fp32")
# ONNX Runtime on the CPU (see onnx_backend): exported once per checkpoint, then a candidate like the
# torch formats. Where it cannot serve, the torch format nearest to it does, and the log says why.
ONNX_FORMATS = ("onnx-int8", "onnx-fp32")
TORCH_FALLBACK = {"onnx-int8": "int8", "onnx-fp32": "fp32"}
# Below this many parameters in linear layers, fp32 is already fast (time goes to overheads)
# and a calibration run costs more than it could ever save.
MIN_PARAMS_TO_CALIBRATE = 50_000_000
# A candidate must beat fp32 by this factor to be chosen: timings on a shared machine are noisy.
# Among the candidates that do, the fastest wins: the margin is a reason to leave fp32, not a head
# start for whichever faster format was measured first (torch int8 kept ONNX int8 out that way while
# ONNX int8 was the faster of the two).
MIN_SPEEDUP = 1.15
EMBED_MIN_COSINE = 0.99
# Above this share of the machine's CPU time used by other processes during a timing, the timing
# is not trusted enough to be remembered.
MAX_OTHERS_CPU = 0.15
RERANK_TOP = 5
# Reranker scores (P("yes")) this close under fp32 are a tie: a faster format may order such passages
# either way. bf16 moves a score by up to about 0.007 (measured on the 0.6B shape), so two passages
# scored 0.545 and 0.540 can trade places; that says nothing a person could act on. A swap across a
# wider gap is a real change of order and rejects the format.
RERANK_TIE = 0.01
DECISIONS_FILE = "numerics.json"
# Each format is timed this many times after its warm-up, and its best time counts: one run that a
# background job or a page fault slowed down must not rank a format below a slower one.
TIMED_RUNS = 2
# A format measured only when the one it backs up did not keep quality (or could not run): ONNX fp32
# is slower than ONNX int8 on every CPU measured (embedding 2.2x, reranking 1.6x on AVX2), and its
# session holds the whole fp32 model (2.3 GB for the 0.6B shape) at the first start's peak.
MEASURED_ONLY_AS_FALLBACK = {"onnx-fp32": "onnx-int8"}

T = TypeVar("T")

# Texts for the calibration runs: ordinary documentation prose, a few dozen tokens each.
SAMPLE_PASSAGES: tuple[str, ...] = (
    "To create a collection, define a schema with a primary key field and a vector field, then call "
    "create_collection with the collection name and the schema.",
    "Milvus Lite stores its data in a local folder. Flush after a batch of writes, because searching "
    "unflushed segments is much slower than searching sealed ones.",
    "An HNSW index builds a layered graph over the vectors; search walks the graph from the top layer "
    "down, trading a little recall for a large gain in speed.",
    "Partitions divide a collection so that a search can be limited to a subset of the data, such as "
    "the documents of one customer or one month.",
    "BM25 scores a passage by how often the query terms occur in it, discounted by how common the "
    "terms are across the whole collection and by the passage length.",
    "Bananas are rich in potassium and are usually eaten ripe, when the peel has turned yellow.",
    "The reranker reads the query and one passage together and answers whether the passage meets the "
    "requirement, which is slower than vector search but more precise.",
    "Install the package with pip, then start the server with the default configuration file and "
    "connect to it on port 19530.",
)


def sample_chunks(count: int = 3) -> list[str]:
    """Chunk-sized texts (about 250 tokens each) built from the sample passages: the embedder's
    timing must see the lengths it will embed, because the formats' speeds differ more on long
    inputs than on short ones."""
    n = len(SAMPLE_PASSAGES)
    return [" ".join(SAMPLE_PASSAGES[(i + j) % n] for j in range(n)) for i in range(count)]


SAMPLE_QUERIES: tuple[str, ...] = (
    "How do I create a collection?",
    "Why is search slow before flushing?",
)


def sample_candidates(count: int = 6, repeat: int = 4) -> list[str]:
    """Rerank candidates for the reranker's timing: ``count`` sample passages on distinct topics (the
    order guard needs clear differences), each said ``repeat`` times, so that a candidate is about 125
    tokens and the prefix every candidate shares (system prompt, instruction, query) is about a third
    of the tokens, near what retrieved chunks give (a quarter at 200 tokens). On one-sentence passages
    the prefix was two thirds, and the torch path, which computes it once per query, looked faster
    against ONNX Runtime than it is: measured on the 0.6B shape, ONNX int8 took 6.5 s against torch
    fp32's 7.3 s on sentences, and 7.0 s against 10.8 s on chunk-sized candidates."""
    return [" ".join([p] * repeat) for p in SAMPLE_PASSAGES[:count]]


@dataclass(frozen=True)
class NumericDecision:
    """The format a model runs in, and why (for logs, the status bar and ``qrag bench``)."""

    format: str  # fp32, bf16, int8, onnx-int8, onnx-fp32 (CPU); bf16, fp16 (GPU)
    reason: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    agreement: dict[str, float] = field(default_factory=dict)
    cached: bool = False
    others_cpu: float = 0.0  # largest share of the CPU other programs used during a timing


@dataclass(frozen=True)
class Agreement:
    ok: bool
    value: float  # min cosine for embeddings; share of queries with the same top-k order for the reranker


def check_precision(value: str) -> str:
    """Normalize a settings value; an unknown one is an error a person can fix."""
    v = (value or "auto").strip().lower()
    aliases = {"float32": "fp32", "bfloat16": "bf16", "qint8": "int8", "onnx": "onnx-int8", "": "auto"}
    v = aliases.get(v, v)
    if v not in NUMERIC_CHOICES:
        raise ConfigError(
            f"Unknown numeric format {value!r}.",
            hint=f"Use one of: {', '.join(NUMERIC_CHOICES)}.",
        )
    return v


def gpu_dtype(device: str) -> torch.dtype:
    """Half precision on GPUs: bf16 where the GPU has it (Ampere and later), else fp16."""
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


def cpu_has_native_bf16() -> bool:
    """True when the CPU computes bf16 matrix products natively (AVX512-BF16, AMX, or Arm BF16).

    Without that, bf16 is emulated and slower than fp32, so it is not worth measuring.
    """
    mkldnn = getattr(torch.ops, "mkldnn", None)
    probe = getattr(mkldnn, "_is_mkldnn_bf16_supported", None) if mkldnn is not None else None
    if probe is not None:
        with contextlib.suppress(Exception):
            if not bool(probe()):
                return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: trust oneDNN's answer alone
        return probe is not None and bool(probe())
    return any(flag in flags for flag in (" avx512_bf16", " amx_bf16", " bf16"))


def linear_params(module: torch.nn.Module) -> int:
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, torch.nn.Linear))


def quantize_int8(module: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantization of ``module``'s linear layers, in place (weights int8, activations
    quantized per batch at run time). The rest of the model stays fp32."""
    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; quantize_dynamic still works in torch
        # 2.13 and needs no extra package. The tests check that the quantized model runs.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*quantize.*", category=UserWarning)
        quantized = torch.ao.quantization.quantize_dynamic(
            module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )
    assert quantized is not None
    return quantized


def _trim_heap() -> None:
    """Hand freed heap pages back to the system: glibc keeps them otherwise, and RSS stays high."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def release_memory() -> None:
    """Collect garbage and trim the heap, so the resident size falls once a model's temporary copies
    are dropped."""
    gc.collect()
    _trim_heap()


def checkpoint_dtype(model_path: str | os.PathLike[str]) -> torch.dtype | str:
    """The dtype the weights are saved in, from the model's config.json ("auto" when it does not say):
    loading in exactly that dtype copies nothing and converts nothing."""
    try:
        config = json.loads((Path(model_path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "auto"
    name = (config.get("dtype") or config.get("torch_dtype")) if isinstance(config, dict) else None
    dtype = getattr(torch, name, None) if isinstance(name, str) else None
    return dtype if isinstance(dtype, torch.dtype) and dtype.is_floating_point else "auto"


def cpu_load_kwargs(model_path: str | os.PathLike[str]) -> dict[str, Any]:
    """``from_pretrained`` arguments for a CPU load that ``convert_for_cpu`` then converts: the
    checkpoint's own dtype, and the weights read into memory rather than memory-mapped.

    Memory-mapped weights stay resident as file pages until the last block is converted, on top of
    the converted copy: the 0.6B embedder peaked at 4.05 GB loading fp32 that way, 3.2 GB read in.
    """
    kwargs: dict[str, Any] = {"dtype": checkpoint_dtype(model_path)}
    with contextlib.suppress(Exception):  # older transformers: no such option, mapped as before
        from transformers import PreTrainedModel

        if "disable_mmap" in inspect.signature(PreTrainedModel.from_pretrained).parameters:
            kwargs["disable_mmap"] = True
    return kwargs


def _repeated_blocks(model: torch.nn.Module) -> torch.nn.ModuleList | None:
    """The model's stack of transformer blocks: its ModuleList holding the most parameters."""
    best, best_n = None, 0
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList):
            n = sum(p.numel() for p in module.parameters())
            if n > best_n:
                best, best_n = module, n
    return best


def convert_for_cpu(
    model: torch.nn.Module, fmt: str, *, quantize_outside_blocks: bool = True
) -> torch.nn.Module:
    """``model``, loaded in its checkpoint's own dtype (bf16 for the Qwen repositories), in numeric
    format ``fmt`` (fp32, bf16 or int8), converted one transformer block at a time.

    Loading straight into fp32 holds the whole fp32 model beside the checkpoint's pages and, for
    int8, beside the quantized copy: 3.9 GB at the peak for the 0.6B embedder, measured. Block by
    block, only one block's fp32 copy exists at a time and freed memory is handed back as it goes
    (peak 2.8 GB, same vectors to the bit). ``quantize_outside_blocks`` also quantizes linear layers
    outside the blocks (a pooler); the reranker keeps its output head in float.
    """
    target = torch.bfloat16 if fmt == "bf16" else torch.float32
    blocks = _repeated_blocks(model)
    for block in blocks if blocks is not None else []:
        block.to(target)
        if fmt == "int8":
            replaced = [m for m in block.modules() if isinstance(m, torch.nn.Linear)]
            quantize_int8(block)
            # Free the float weights now: the replaced modules may sit in reference cycles that only a
            # full garbage collection would find, and that costs a quarter second per block.
            for linear in replaced:
                linear.weight = torch.nn.Parameter(torch.empty(0), requires_grad=False)
        _trim_heap()
    model.to(target)
    if fmt == "int8" and quantize_outside_blocks:
        quantize_int8(model)  # blocks already quantized are left as they are
    release_memory()
    return model


@contextlib.contextmanager
def quiet_quantized() -> Iterator[None]:
    """Quantized kernels may warn on first use (deprecation notes); they do not concern a user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*quantize.*", category=UserWarning)
        yield


def embeddings_agree(reference: Any, candidate: Any) -> Agreement:
    """Row-wise cosine of two (n, dim) arrays; acceptable when every row keeps >= 0.99."""
    ref = torch.from_numpy(np.ascontiguousarray(reference, dtype=np.float32))
    cand = torch.from_numpy(np.ascontiguousarray(candidate, dtype=np.float32))
    cos = torch.nn.functional.cosine_similarity(ref, cand, dim=-1)
    worst = float(cos.min()) if cos.numel() else 1.0
    return Agreement(ok=worst >= EMBED_MIN_COSINE, value=worst)


def rankings_agree(
    reference: list[list[float]], candidate: list[list[float]], top: int = RERANK_TOP, tie: float = RERANK_TIE
) -> Agreement:
    """Per query, the candidate's top-``top`` documents must come in fp32's order: at each rank, the
    candidate's document has the fp32 score of fp32's document at that rank, give or take ``tie``
    (passages fp32 scores within ``tie`` of each other may trade places; any other swap fails)."""
    same = 0
    for ref, cand in zip(reference, candidate, strict=True):
        order_ref = sorted(range(len(ref)), key=lambda i: ref[i], reverse=True)[:top]
        order_cand = sorted(range(len(cand)), key=lambda i: cand[i], reverse=True)[:top]
        same += all(abs(ref[c] - ref[r]) <= tie for r, c in zip(order_ref, order_cand, strict=True))
    share = same / len(reference) if reference else 1.0
    return Agreement(ok=same == len(reference), value=share)


@dataclass
class Calibration(Generic[T]):
    """What ``choose_format`` needs from a model wrapper.

    ``load(fmt)`` returns a model in that format (from disk, so only one model is in memory at a
    time); ``probe(model)`` runs the sample workload and returns its outputs; ``agree(ref, out)``
    compares them with fp32's. ``warm_up(model)``, when given, pays a model's one-off costs on a
    smaller input than the probe's (else the probe runs once untimed).
    """

    load: Callable[[str], Any]
    probe: Callable[[Any], T]
    agree: Callable[[T, T], Agreement]
    warm_up: Callable[[Any], object] | None = None

    def warm(self, model: Any) -> None:
        with torch.inference_mode(), quiet_quantized():
            (self.warm_up or self.probe)(model)


def weight_bytes(model_path: str | os.PathLike[str]) -> int:
    """Size of the weight files: tells a small model from a big one before loading it."""
    path = Path(model_path)
    if not path.is_dir():
        return 0
    return sum(f.stat().st_size for f in path.rglob("*") if f.suffix in (".safetensors", ".bin"))


def decisions_path() -> Path:
    base = os.environ.get("QRAG_CACHE_DIR") or platformdirs.user_cache_dir("qrag-desktop", appauthor=False)
    return Path(base) / DECISIONS_FILE


def decision_key(kind: str, model_path: str | os.PathLike[str], device: str) -> str:
    """One decision per model files, device, torch build and CPU: any of them changes the answer."""
    path = Path(model_path)
    stamp = ""
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        with contextlib.suppress(OSError):
            st = (path / name).stat()
            stamp += f"{name}:{st.st_size}:{int(st.st_mtime)};"
    cpu = torch.backends.cpu.get_cpu_capability() if device == "cpu" else ""
    # v5: ONNX Runtime formats are candidates, and its version is part of the key.
    ort = _onnxruntime_version() if device == "cpu" else ""
    raw = f"v5|{kind}|{path}|{stamp}|{device}|{torch.__version__}|{cpu}|{torch.get_num_threads()}|{ort}"
    return f"{kind}:{path.name}:{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def _read_decisions(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_decision(path: Path, key: str, decision: NumericDecision) -> None:
    try:  # best effort: a read-only cache only means measuring again next time
        data = _read_decisions(path)
        data[key] = asdict(decision)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not save the numeric-format decision to %s: %s", path, exc)


def _onnxruntime_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("onnxruntime")
    except metadata.PackageNotFoundError:
        return "missing"


_onnx_reason_logged = False


def onnx_unavailable() -> str | None:
    """Why ONNX Runtime cannot serve here, or None; the first time it cannot, one log line says why."""
    global _onnx_reason_logged
    from qrag_desktop.core.models.onnx_export import runtime_missing

    why = runtime_missing()
    if why is not None and not _onnx_reason_logged:
        _onnx_reason_logged = True
        log.warning("ONNX Runtime path not available: %s; the torch path serves", why)
    return why


def cpu_candidates() -> list[str]:
    torch_formats = ["int8", "bf16"] if cpu_has_native_bf16() else ["int8"]
    return torch_formats + (list(ONNX_FORMATS) if onnx_unavailable() is None else [])


def cached_format(kind: str, model_path: str | os.PathLike[str], device: str) -> str | None:
    """The format a remembered decision names for this model here, or None when none is saved."""
    saved = _read_decisions(decisions_path()).get(decision_key(kind, model_path, device))
    fmt = saved.get("format") if isinstance(saved, dict) else None
    return fmt if isinstance(fmt, str) else None


def wants_onnx(requested: str, *, kind: str, model_path: str | os.PathLike[str], device: str) -> bool:
    """True when loading this model will need its ONNX export: asked for by name, or ``auto`` on a CPU
    with a model big enough to measure and no remembered decision against ONNX."""
    requested = check_precision(requested)
    if device != "cpu":
        return False
    if requested in ONNX_FORMATS:
        return True
    if requested != "auto" or weight_bytes(model_path) < MIN_PARAMS_TO_CALIBRATE * 2:
        return False
    if onnx_unavailable() is not None:
        return False
    fmt = cached_format(kind, model_path, device)
    return fmt is None or fmt in ONNX_FORMATS


def _load_serving(calibration: Calibration[Any], fmt: str, kind: str) -> tuple[Any, str]:
    """``calibration.load(fmt)``; for an ONNX format that cannot serve (no runtime, failed export),
    the torch format nearest to it, after one log line saying why."""
    if fmt not in ONNX_FORMATS:
        return calibration.load(fmt), fmt
    why = onnx_unavailable()
    if why is None:
        try:
            return calibration.load(fmt), fmt
        except Exception as exc:  # a failed export or a graph this runtime cannot run
            why = f"{exc.__class__.__name__}: {exc}"
            fallback = TORCH_FALLBACK[fmt]
            log.warning("%s: ONNX Runtime %s could not serve (%s); torch %s serves", kind, fmt, why, fallback)
    release_memory()
    return calibration.load(TORCH_FALLBACK[fmt]), TORCH_FALLBACK[fmt]


def _machine_busy_s() -> float:
    """CPU seconds all processes on this machine have used (every core, since boot)."""
    import psutil

    t = psutil.cpu_times()
    return float(sum(t)) - float(t.idle) - float(getattr(t, "iowait", 0.0))


def others_cpu_share(wall_s: float, machine_busy_s: float, own_cpu_s: float) -> float:
    """Share of the machine's CPU capacity that other processes used during ``wall_s`` seconds."""
    cores = os.cpu_count() or 1
    if wall_s <= 0:
        return 0.0
    return max(0.0, machine_busy_s - own_cpu_s) / (wall_s * cores)


def _timed_once(probe: Callable[[Any], T], model: Any) -> tuple[T, float, float]:
    """``probe(model)``'s output, its wall time in ms, and the CPU share other programs took meanwhile."""
    busy0, own0, t0 = _machine_busy_s(), time.process_time(), time.perf_counter()
    with torch.inference_mode(), quiet_quantized():
        out = probe(model)
    wall = time.perf_counter() - t0
    others = others_cpu_share(wall, _machine_busy_s() - busy0, time.process_time() - own0)
    return out, wall * 1000, others


def _timed(probe: Callable[[Any], T], model: Any) -> tuple[T, float, float]:
    """``probe(model)``'s output, its best time in ms over ``TIMED_RUNS`` runs, and the largest CPU
    share other programs took during one of them."""
    runs = [_timed_once(probe, model) for _ in range(max(1, TIMED_RUNS))]
    return runs[-1][0], min(r[1] for r in runs), max(r[2] for r in runs)


def choose_format(
    requested: str,
    *,
    kind: str,
    model_path: str | os.PathLike[str],
    device: str,
    calibration: Calibration[Any],
    fp32_model: Any = None,
    candidates: list[str] | None = None,
    min_params: int = MIN_PARAMS_TO_CALIBRATE,
    cache: Path | None = None,
) -> tuple[Any, NumericDecision]:
    """The model to use and the decision behind it.

    ``fp32_model``, when given, is the model already loaded in fp32; otherwise it is loaded only when
    needed, so a cached int8 decision never holds an fp32 copy in memory (RSS does not shrink back).
    ``requested`` is the setting: an explicit format is honoured as asked; ``auto`` uses the cached
    decision or measures (see module doc).
    """
    requested = check_precision(requested)
    if device != "cpu":
        fmt = "bf16" if gpu_dtype(device) == torch.bfloat16 else "fp16"
        return fp32_model if fp32_model is not None else calibration.load(fmt), NumericDecision(
            format=fmt, reason=f"half precision on {device}"
        )
    if requested != "auto":
        if requested == "fp32" and fp32_model is not None:
            return fp32_model, NumericDecision(format="fp32", reason="set in Settings")
        del fp32_model
        release_memory()
        model, served = _load_serving(calibration, requested, kind)
        reason = "set in Settings" if served == requested else f"set in Settings ({requested} not available)"
        return model, NumericDecision(format=served, reason=reason)

    if fp32_model is None and weight_bytes(model_path) < min_params * 2:  # bf16 on disk: 2 bytes each
        fp32_model = calibration.load("fp32")  # small: cheap to load, and its size decides
    if isinstance(fp32_model, torch.nn.Module) and linear_params(fp32_model) < min_params:
        return fp32_model, NumericDecision(format="fp32", reason="small model: fp32 is fast enough")

    cache = cache or decisions_path()
    key = decision_key(kind, model_path, device)
    saved = _read_decisions(cache).get(key)
    if isinstance(saved, dict) and saved.get("format") in ("fp32", "bf16", "int8", *ONNX_FORMATS):
        known = set(NumericDecision.__dataclass_fields__)
        decision = NumericDecision(**{**{k: v for k, v in saved.items() if k in known}, "cached": True})
        if decision.format == "fp32":
            return fp32_model if fp32_model is not None else calibration.load("fp32"), decision
        del fp32_model
        release_memory()
        model, served = _load_serving(calibration, decision.format, kind)
        if served != decision.format:
            decision = replace(decision, format=served, reason=f"{decision.format} unavailable here")
        return model, decision

    # Measure: fp32 first (the reference), then each candidate alone in memory.
    if fp32_model is None:
        fp32_model = calibration.load("fp32")
    calibration.warm(fp32_model)  # first calls pay one-off allocations
    reference, fp32_ms, others = _timed(calibration.probe, fp32_model)
    timings = {"fp32": round(fp32_ms, 1)}
    agreement: dict[str, float] = {}
    best, best_ms = "fp32", fp32_ms
    del fp32_model
    release_memory()
    kept: set[str] = set()
    for fmt in candidates if candidates is not None else cpu_candidates():
        if MEASURED_ONLY_AS_FALLBACK.get(fmt) in kept:
            log.info("%s %s not measured: %s kept quality", kind, fmt, MEASURED_ONLY_AS_FALLBACK[fmt])
            continue
        try:
            model = calibration.load(fmt)
            calibration.warm(model)
            out, ms, busy = _timed(calibration.probe, model)
            others = max(others, busy)
        except Exception as exc:  # a format this build cannot run is simply not a candidate
            log.info("numeric format %s does not run here: %s", fmt, exc)
            continue
        finally:
            model = None
            release_memory()
        verdict = calibration.agree(reference, out)
        timings[fmt], agreement[fmt] = round(ms, 1), round(verdict.value, 4)
        log.info("%s %s: %.0f ms (fp32 %.0f ms), agreement %.4f", kind, fmt, ms, fp32_ms, verdict.value)
        if not verdict.ok:
            continue
        kept.add(fmt)
        if ms * MIN_SPEEDUP < fp32_ms and ms < best_ms:
            best, best_ms = fmt, ms
    reason = "fastest that keeps quality" if best != "fp32" else "no faster format kept quality"
    trusted = others <= MAX_OTHERS_CPU
    if not trusted:
        reason += (
            f" (other programs used {others:.0%} of the CPU meanwhile: not saved, measured again next time)"
        )
        log.info("%s: %s", kind, reason)
    decision = NumericDecision(
        format=best, reason=reason, timings_ms=timings, agreement=agreement, others_cpu=round(others, 3)
    )
    if trusted:
        _write_decision(cache, key, decision)
    return calibration.load(best), decision


__all__ = [
    "NUMERIC_CHOICES",
    "ONNX_FORMATS",
    "SAMPLE_PASSAGES",
    "SAMPLE_QUERIES",
    "Agreement",
    "Calibration",
    "NumericDecision",
    "cached_format",
    "check_precision",
    "checkpoint_dtype",
    "choose_format",
    "convert_for_cpu",
    "cpu_load_kwargs",
    "cpu_has_native_bf16",
    "embeddings_agree",
    "gpu_dtype",
    "onnx_unavailable",
    "others_cpu_share",
    "quantize_int8",
    "rankings_agree",
    "release_memory",
    "sample_candidates",
    "sample_chunks",
    "wants_onnx",
]
