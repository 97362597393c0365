"""Memory figures for ``qrag bench``: peak RSS while a block runs, and of a command in its own process.

RSS never shrinks back within a process, so what indexing and answering cost a user is measured
in fresh processes (``qrag index``, then ``qrag search`` with reranking), each sampled from outside.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class PeakMemory:
    """Peak RSS of this process (sampled) and peak GPU memory during a ``with`` block."""

    def __init__(self, device: str, interval: float = 0.02) -> None:
        self.device = device
        self.interval = interval
        self.rss_mb = 0.0
        self.gpu_mb: float | None = None
        self._stop = threading.Event()

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process()
        while True:
            self.rss_mb = max(self.rss_mb, proc.memory_info().rss / 2**20)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakMemory:
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.reset_peak_memory_stats()
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.device.startswith("cuda"):
            import torch

            self.gpu_mb = torch.cuda.max_memory_allocated() / 2**20


def _peak_rss_of(cmd: Sequence[str], interval: float = 0.05) -> tuple[float, int, str, str]:
    """Run ``cmd``; its peak RSS in MB (sampled), exit code, stdout and stderr."""
    import subprocess

    import psutil

    peak = 0.0
    chunks: dict[str, str] = {}
    with subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        watched = psutil.Process(proc.pid)
        # Read the pipes in threads so a chatty child never blocks on a full pipe while we sample.
        readers = [
            threading.Thread(target=lambda n=n, f=f: chunks.__setitem__(n, f.read()), daemon=True)
            for n, f in (("out", proc.stdout), ("err", proc.stderr))
        ]
        for t in readers:
            t.start()
        while proc.poll() is None:
            try:
                peak = max(peak, watched.memory_info().rss / 2**20)
            except psutil.Error:  # exited between poll and sample
                break
            time.sleep(interval)
        proc.wait()
        for t in readers:
            t.join()
    return peak, int(proc.returncode), chunks.get("out", ""), chunks.get("err", "")


def memory_in_own_processes(
    files: Sequence[Path], corpus: Path, workdir: Path, settings: Any, question: str
) -> dict[str, Any]:
    """Peak RSS of ``qrag index`` on ``files`` and then of ``qrag search`` (with reranking) on that
    index, each in a fresh process with these settings: what indexing and answering cost in memory
    on their own, without the models the benchmark loaded before in this process."""
    import sys

    from qrag_desktop.core.settings import Paths, save_settings

    src = workdir / "rss-docs"
    for f in files:
        dest = src / f.relative_to(corpus)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(f.read_bytes())
    paths = Paths.resolve(workdir / "rss-data").ensure()
    save_settings(paths, settings)
    base = [sys.executable, "-m", "qrag_desktop.cli", "--data-dir", str(paths.data_dir)]
    result: dict[str, Any] = {"files": len(files)}
    for name, cmd in (
        ("index", [*base, "index", str(src), "--json"]),
        ("answer", [*base, "search", question, "--json"]),
    ):
        t0 = time.perf_counter()
        peak, code, out, err = _peak_rss_of(cmd)
        result[f"{name}_seconds"] = round(time.perf_counter() - t0, 1)
        result[f"{name}_peak_rss_mb"] = round(peak)
        if code != 0:
            lines = (err or out).strip().splitlines()
            result[f"{name}_error"] = lines[-1] if lines else f"exit {code}"
            break
        if name == "index":
            with contextlib.suppress(ValueError, IndexError):
                result["chunks"] = json.loads(out.strip().splitlines()[-1]).get("chunks_added")
    return result


__all__ = ["PeakMemory", "memory_in_own_processes"]
