"""Which torch device the models run on, and how to name it for a person."""

from __future__ import annotations

import logging
import os
import threading

import psutil
import torch

from qrag_desktop.core.errors import ModelLoadError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr

log = logging.getLogger(__name__)

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")

_threads_lock = threading.Lock()
_threads_configured = False


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: str = "auto") -> str:
    """Resolve a settings value ("auto", "cpu", "cuda", "cuda:1", "mps") to a device torch can use now.

    An explicit choice that this machine cannot honour is an error rather than a silent fallback,
    so a person who asked for the GPU learns that it is not being used.
    """
    pref = (preference or "auto").strip().lower()
    if pref == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if _mps_available():
            return "mps"
        return "cpu"
    if pref == "cpu":
        return "cpu"
    if pref == "cuda" or pref.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ModelLoadError(
                QT_TRANSLATE_NOOP(
                    "core",
                    "The device is set to CUDA, but no CUDA GPU is available to PyTorch on this machine.",
                ),
                hint=QT_TRANSLATE_NOOP(
                    "core",
                    'Choose "auto" or "cpu" as the device in Settings, or install a CUDA build of PyTorch.',
                ),
            )
        if ":" in pref:
            index = pref.split(":", 1)[1]
            if not index.isdigit() or int(index) >= torch.cuda.device_count():
                raise ModelLoadError(
                    QT_TRANSLATE_NOOP(
                        "core", "The device %1 does not exist: this machine has %2 CUDA GPU(s)."
                    ),
                    args=(repr(preference), torch.cuda.device_count()),
                    hint=QT_TRANSLATE_NOOP("core", 'Choose "cuda" or "auto" as the device in Settings.'),
                )
        return pref
    if pref == "mps":
        if not _mps_available():
            raise ModelLoadError(
                QT_TRANSLATE_NOOP(
                    "core", "The device is set to Apple GPU (MPS), but MPS is not available on this machine."
                ),
                hint=QT_TRANSLATE_NOOP("core", 'Choose "auto" or "cpu" as the device in Settings.'),
            )
        return "mps"
    raise ModelLoadError(
        QT_TRANSLATE_NOOP("core", "Unknown device %1."),
        args=(repr(preference), ", ".join(DEVICE_CHOICES)),
        hint=QT_TRANSLATE_NOOP("core", "Use one of: %2."),
    )


def describe_device(device: str) -> str:
    """A short label for the status bar, e.g. "CUDA: NVIDIA GeForce RTX 4060" or "CPU, 4 threads"."""
    if device.startswith("cuda"):
        try:
            index = int(device.split(":", 1)[1]) if ":" in device else torch.cuda.current_device()
            return f"CUDA: {torch.cuda.get_device_name(index)}"
        except Exception:  # a label must never fail; the device itself is checked elsewhere
            return tr(QT_TRANSLATE_NOOP("core", "CUDA GPU"))
    if device == "mps":
        return tr(QT_TRANSLATE_NOOP("core", "Apple GPU (MPS)"))
    return tr(QT_TRANSLATE_NOOP("core", "CPU, %1 threads"), torch.get_num_threads())


def configure_cpu_threads() -> int:
    """Use one torch thread per physical core, once per process.

    Hyper-threads share the vector units, so extra threads only add contention for matrix work.
    Returns the thread count in use.
    """
    global _threads_configured
    with _threads_lock:
        if not _threads_configured:
            cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
            torch.set_num_threads(max(1, int(cores)))
            _threads_configured = True
            log.debug("torch uses %d CPU threads", torch.get_num_threads())
        return torch.get_num_threads()


def batch_tokens_for(device: str, *, per_token_bytes: int, cpu_default: int) -> int:
    """Padded tokens per forward pass: fixed on a CPU (bigger batches do not run faster there),
    sized from the free memory on a CUDA GPU so that large batches keep it busy without running out.

    ``per_token_bytes`` is a generous estimate of one token's activations and cache in the model.
    """
    if not device.startswith("cuda"):
        return cpu_default
    try:
        index = int(device.split(":", 1)[1]) if ":" in device else torch.cuda.current_device()
        free, _total = torch.cuda.mem_get_info(index)
    except Exception:  # no answer from the driver: a size that fits any GPU that runs the model
        return cpu_default
    # Half the free memory, leaving room for other apps and the allocator's fragmentation.
    return int(min(131_072, max(cpu_default, free // 2 // max(1, per_token_bytes))))
