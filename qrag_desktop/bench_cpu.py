"""What this CPU is and what it could do at best: the first line of a ``qrag bench`` report.

Figures are only comparable between machines when the machine is named, so the benchmark reports
the CPU's model, its physical cores, its clock and the instruction sets that decide which numeric
format wins (AVX2, AVX-VNNI, AVX-512F, AVX-512 VNNI, AVX-512 BF16, AMX), and how close the app
came to this CPU's arithmetic limit.

Where the flags come from: ``/proc/cpuinfo`` on Linux (every one of them); elsewhere numpy's own
CPU dispatch table (AVX2, AVX-512F, AVX-512 VNNI, AVX-512 BF16), and ``None`` ("unknown") for what
that table does not know (AVX-VNNI, AMX). On Arm (Apple silicon) the x86 sets are absent: False.

The limit (peak arithmetic per second, all physical cores busy, at the highest clock reported):

- fp32: cores x GHz x FLOP per cycle per core. 32 with AVX2 + FMA (two 256-bit FMA units: 2 x 8
  lanes x 2 FLOP), 64 with AVX-512 (two 512-bit units; CPUs with one 512-bit unit reach half of it),
  16 for older CPUs or when unknown.
- int8 (multiply-adds counted as 2 ops, as for fp32): 2x fp32 on AVX2 (vpmaddubsw + vpmaddwd),
  4x fp32 with VNNI (AVX-VNNI or AVX-512 VNNI: one instruction), 2048 ops per cycle per core with
  AMX (the tile unit's theoretical peak, rarely approached).
- bf16: 2x the AVX-512 fp32 figure with AVX-512 BF16, 1024 FLOP per cycle per core with AMX; none
  without native bf16 (it is emulated, slower than fp32).

Cost of a token through a model, from its ``config.json``: 2 FLOP per weight of the linear layers
(the embedding table is a lookup, not arithmetic; a causal LM's head is counted when the app runs it
over every position, which it does not: the reranker reads two logits), plus attention: QK^T and
the weighted sum, 4 x layers x heads x head_dim x the positions each token attends to (half the
sequence on average for a causal model, the whole sequence for an encoder).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

# The instruction sets reported, in the order printed, and the /proc/cpuinfo flags that mean each.
INSTRUCTION_SETS: dict[str, tuple[str, ...]] = {
    "avx2": ("avx2",),
    "avx_vnni": ("avx_vnni",),
    "avx512f": ("avx512f",),
    "avx512_vnni": ("avx512_vnni",),
    "avx512_bf16": ("avx512_bf16",),
    "amx": ("amx_tile", "amx_int8", "amx_bf16"),
}
# numpy's dispatch table names for the same sets (it has no AVX-VNNI or AMX entry).
_NUMPY_NAMES = {
    "avx2": "AVX2",
    "avx512f": "AVX512F",
    "avx512_vnni": "AVX512VNNI",
    "avx512_bf16": "AVX512BF16",
}
LABELS = {
    "avx2": "AVX2",
    "avx_vnni": "AVX-VNNI",
    "avx512f": "AVX-512F",
    "avx512_vnni": "AVX-512 VNNI",
    "avx512_bf16": "AVX-512 BF16",
    "amx": "AMX",
}


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def parse_cpuinfo(text: str) -> dict[str, Any]:
    """Model name, flags and the highest "cpu MHz" seen, from the text of ``/proc/cpuinfo``."""
    model = None
    flags: set[str] = set()
    mhz = 0.0
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "model name" and model is None:
            model = value.strip()
        elif key in ("flags", "features") and not flags:  # x86 "flags", Arm "Features"
            flags = set(value.split())
        elif key == "cpu mhz":
            with contextlib.suppress(ValueError):
                mhz = max(mhz, float(value))
    return {"model": model, "flags": flags, "mhz": mhz or None}


def sets_from_flags(flags: set[str]) -> dict[str, bool]:
    return {name: any(f in flags for f in names) for name, names in INSTRUCTION_SETS.items()}


def _numpy_features() -> dict[str, bool]:
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        with contextlib.suppress(ImportError, AttributeError):
            mod = __import__(module, fromlist=["__cpu_features__"])
            return dict(mod.__cpu_features__)
    return {}


def _sysctl(name: str) -> str | None:
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _windows_cpu_name() -> str | None:
    """The marketing name Windows keeps in the registry (platform.processor() gives a family code)."""
    if sys.platform != "win32":
        return None
    try:
        import winreg

        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
        value, _ = winreg.QueryValueEx(key, "ProcessorNameString")
    except (ImportError, OSError):
        return None
    return str(value).strip() or None


def _max_mhz(cpuinfo_mhz: float | None) -> tuple[float | None, str]:
    """The highest clock this machine reports, and where it came from."""
    khz = _read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    if khz and khz.strip().isdigit():
        return int(khz.strip()) / 1000, "cpufreq max"
    with contextlib.suppress(Exception):
        import psutil

        freq = psutil.cpu_freq()
        if freq is not None and freq.max:
            return float(freq.max), "psutil max"
        if freq is not None and freq.current and not cpuinfo_mhz:
            return float(freq.current), "psutil current (no max reported)"
    if cpuinfo_mhz:
        return cpuinfo_mhz, "/proc/cpuinfo current (no max reported)"
    return None, "unknown"


def cpu_info() -> dict[str, Any]:
    """The CPU as the report names it: model, cores, clock, instruction sets (None: unknown)."""
    import psutil

    arch = platform.machine().lower()
    x86 = arch in ("x86_64", "amd64", "i386", "i686", "x86")
    model: str | None = None
    mhz: float | None = None
    sets: dict[str, bool | None]
    text = _read("/proc/cpuinfo")
    if text is not None:  # Linux: every flag is there
        info = parse_cpuinfo(text)
        model, mhz = info["model"], info["mhz"]
        sets = dict(sets_from_flags(info["flags"]))
        source = "/proc/cpuinfo"
    elif not x86:  # Apple silicon, Windows on Arm: the x86 sets do not exist there
        sets = dict.fromkeys(INSTRUCTION_SETS, False)
        source = f"{arch}: no x86 instruction sets"
    else:
        found = _numpy_features()
        sets = {
            name: found.get(_NUMPY_NAMES[name]) if name in _NUMPY_NAMES else None for name in INSTRUCTION_SETS
        }
        source = "numpy CPU dispatch table" if found else "unknown"
    if model is None and platform.system() == "Darwin":
        model = _sysctl("machdep.cpu.brand_string") or _sysctl("hw.model")
    if model is None and platform.system() == "Windows":
        model = _windows_cpu_name()
    if model is None:
        model = platform.processor() or None
    max_mhz, mhz_source = _max_mhz(mhz)
    return {
        "model": model or "unknown",
        "arch": arch,
        "physical_cores": psutil.cpu_count(logical=False),
        "logical_cores": psutil.cpu_count(logical=True),
        "max_mhz": round(max_mhz) if max_mhz else None,
        "mhz_source": mhz_source,
        "instruction_sets": sets,
        "instruction_sets_source": source,
    }


def _flop_per_cycle(sets: dict[str, bool | None]) -> dict[str, float | None]:
    """Per core, per cycle, for fp32, int8 and bf16 (module doc: the rule)."""
    fp32 = 64.0 if sets.get("avx512f") else 32.0 if sets.get("avx2") else 16.0
    if sets.get("amx"):
        int8: float = 2048.0
    elif sets.get("avx512_vnni") or sets.get("avx_vnni"):
        int8 = 4 * fp32
    else:
        int8 = 2 * fp32 if sets.get("avx2") else fp32
    bf16: float | None = None
    if sets.get("amx"):
        bf16 = 1024.0
    elif sets.get("avx512_bf16"):
        bf16 = 2 * fp32
    return {"fp32": fp32, "int8": int8, "bf16": bf16}


def peak_gflops(cpu: dict[str, Any]) -> dict[str, float | None]:
    """This CPU's limit in GFLOP/s (int8: Gop/s) per format; None where it cannot be estimated."""
    cores, mhz = cpu.get("physical_cores"), cpu.get("max_mhz")
    per_cycle = _flop_per_cycle(cpu.get("instruction_sets") or {})
    if not cores or not mhz:
        return dict.fromkeys(per_cycle)
    return {fmt: None if f is None else round(cores * mhz / 1000 * f, 1) for fmt, f in per_cycle.items()}


def limit_for(fmt: str | None) -> str:
    """Which limit a numeric format runs against: "onnx-int8" and "int8" the int8 one, and so on."""
    base = (fmt or "fp32").removeprefix("onnx-")
    return base if base in ("int8", "bf16") else "fp32"


def model_config(model_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    try:
        data = json.loads((Path(model_path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def flops_per_token(config: dict[str, Any], context: float) -> float | None:
    """FLOP one token costs through the model (module doc), ``context`` tokens in its sequence."""
    try:
        h = int(config["hidden_size"])
        layers = int(config["num_hidden_layers"])
        heads = int(config["num_attention_heads"])
        inter = int(config["intermediate_size"])
    except (KeyError, TypeError, ValueError):
        return None
    kv = int(config.get("num_key_value_heads") or heads)
    head_dim = int(config.get("head_dim") or h // heads)
    # Gated MLPs (Qwen, Llama, Mistral, Gemma: gate, up, down) have three matrices; BERT-like two.
    gated = str(config.get("hidden_act", "")) in ("silu", "swish", "swiglu") or "qwen" in str(
        config.get("model_type", "")
    )
    attn_weights = h * heads * head_dim * 2 + h * kv * head_dim * 2  # q, o; k, v
    mlp_weights = (3 if gated else 2) * h * inter
    causal = bool(config.get("is_decoder")) or gated
    attended = context / 2 if causal else context
    attention = 4 * layers * heads * head_dim * attended
    return 2.0 * layers * (attn_weights + mlp_weights) + attention


def share_of_limit(
    tokens_per_s: float | None, cost_flop: float | None, peak: dict[str, float | None], fmt: str | None
) -> dict[str, Any]:
    """Achieved GFLOP/s against this CPU's limit for ``fmt``."""
    limit_name = limit_for(fmt)
    limit = peak.get(limit_name)
    achieved = tokens_per_s * cost_flop / 1e9 if tokens_per_s and cost_flop else None
    return {
        "format": fmt,
        "limit": limit_name,
        "gflop_per_token": float(f"{cost_flop / 1e9:.4g}") if cost_flop else None,
        "achieved_gflops": float(f"{achieved:.4g}") if achieved else None,
        "limit_gflops": limit,
        # Three significant digits: a tiny test model reaches a few thousandths of a percent.
        "share": float(f"{achieved / limit:.3g}") if achieved and limit else None,
    }


def describe(cpu: dict[str, Any]) -> str:
    """One line: "AMD EPYC, 2 cores, 2445 MHz: AVX2 yes, AVX-VNNI no, ... (source)"."""
    sets = cpu.get("instruction_sets") or {}

    def yn(v: bool | None) -> str:
        return "unknown" if v is None else "yes" if v else "no"

    flags = ", ".join(f"{LABELS[k]} {yn(sets.get(k))}" for k in INSTRUCTION_SETS)
    mhz = f"{cpu['max_mhz']} MHz" if cpu.get("max_mhz") else "clock unknown"
    return f"{cpu.get('model')}, {cpu.get('physical_cores')} cores, {mhz}: {flags}"


__all__ = [
    "INSTRUCTION_SETS",
    "cpu_info",
    "describe",
    "flops_per_token",
    "limit_for",
    "model_config",
    "parse_cpuinfo",
    "peak_gflops",
    "share_of_limit",
]
