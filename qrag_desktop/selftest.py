"""Check an install without a display or the network: index bundled samples, search, verify answers.

The built app runs this for ``--self-test``; ``python -m qrag_desktop.selftest`` runs it from a
checkout. It touches nothing of the user's: a temporary data dir is created and removed. It imports
no Qt, so it works on a machine with no display.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from qrag_desktop import __version__
from qrag_desktop.core.errors import ConfigError, QragError
from qrag_desktop.core.settings import Paths, Settings, apply_env, load_settings

SAMPLES = ("sourdough-bread.md", "ocean-tides.txt", "bicycle-flat-tyre.html", "green-tea-zh.md")
# An image-only PDF page (English and Chinese lines): proves the OCR engine and its models are there.
SCANNED_SAMPLE = "scanned-page.pdf"
SCANNED_WORDS = ("lighthouse", "灯塔")


@dataclass(frozen=True)
class Query:
    text: str
    expected: str  # the sample file that must rank first


# Keyword queries share rare words with one sample; the Chinese one needs jieba's dictionary.
KEYWORD_QUERIES = (
    Query("starter hydration autolyse", "sourdough-bread.md"),
    Query("spring tides neap tides", "ocean-tides.txt"),
    Query("inner tube puncture patch", "bicycle-flat-tyre.html"),
    Query("龙井 绿茶 冲泡", "green-tea-zh.md"),
)
# Meaning queries share few words with their sample; they need the embedding model.
SEMANTIC_QUERIES = (
    Query("how do I make bread rise with wild yeast", "sourdough-bread.md"),
    Query("why does the sea go up and down twice a day", "ocean-tides.txt"),
    Query("my bike wheel lost its air on a ride, how do I mend it", "bicycle-flat-tyre.html"),
)


class Checks:
    """Runs named checks, prints each as OK or FAIL, and remembers whether all passed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.passed = 0
        self.failed = 0

    def check(self, name: str, fn: Callable[[], str | None]) -> bool:
        """``fn`` returns a detail to print, or raises; an AssertionError's message is the reason."""
        t0 = time.perf_counter()
        try:
            detail = fn()
        except Exception as exc:  # a self-test reports every failure and goes on
            reason = str(exc) if isinstance(exc, AssertionError) else _describe(exc)
            self._line("FAIL", name, reason, t0)
            if not isinstance(exc, AssertionError | QragError):
                traceback.print_exc(file=self.out)
            self.failed += 1
            return False
        self._line("OK", name, detail, t0)
        self.passed += 1
        return True

    def note(self, text: str) -> None:
        print(f"     {text}", file=self.out, flush=True)

    def _line(self, verdict: str, name: str, detail: str | None, t0: float) -> None:
        ms = (time.perf_counter() - t0) * 1000
        tail = f": {detail}" if detail else ""
        print(f"{verdict:<4} {name}{tail} ({ms:.0f} ms)", file=self.out, flush=True)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.passed > 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, QragError):
        return exc.user_text()
    return f"{exc.__class__.__name__}: {exc}"


def copy_samples(dest: Path) -> list[Path]:
    """Copy the bundled sample documents into ``dest`` (bundles may be read-only)."""
    dest.mkdir(parents=True, exist_ok=True)
    folder = resources.files("qrag_desktop").joinpath("resources", "samples")
    copied = []
    for name in SAMPLES:
        target = dest / name
        target.write_bytes(folder.joinpath(name).read_bytes())
        copied.append(target)
    return copied


def ocr_check(dest: Path) -> str:
    """Read the bundled scanned page by OCR, as indexing would (about a second or two)."""
    from qrag_desktop.core.documents import load_document

    dest.mkdir(parents=True, exist_ok=True)
    target = dest / SCANNED_SAMPLE
    folder = resources.files("qrag_desktop").joinpath("resources", "samples")
    target.write_bytes(folder.joinpath(SCANNED_SAMPLE).read_bytes())
    text = "\n".join(s.text for s in load_document(target).sections)
    missing = [w for w in SCANNED_WORDS if w not in text]
    assert not missing, f"OCR did not read {missing}; it read {text[:80]!r}"
    return f"{len(text)} characters read from an image-only page"


def _user_settings() -> Settings:
    """The user's model choices (so the check uses the model they use), never their store or folders."""
    try:
        settings = load_settings(Paths.resolve())
    except ConfigError:
        settings = Settings()
    settings = apply_env(settings)
    return settings.replace(milvus_uri=None, folders=(), collection="selftest")


def _first(q: Query, hits) -> str:
    names = [Path(h.path).name for h in hits]
    assert names, f"no results for {q.text!r}"
    assert names[0] == q.expected, f"{q.text!r}: expected {q.expected} first, got {names[:3]}"
    return f"{q.text!r} -> {names[0]}"


def _search_checks(checks: Checks, engine, queries: tuple[Query, ...], label: str) -> None:
    """The app's search (hybrid when the index has vectors) must put the expected file first."""
    for q in queries:

        def run(q: Query = q) -> str:
            return _first(q, engine.search(q.text, rerank=False).hits)

        checks.check(f"{label} search", run)


def _vector_checks(checks: Checks, engine, queries: tuple[Query, ...]) -> None:
    """Dense vectors alone must find the answer too, so a broken model cannot hide behind keywords."""
    for q in queries:

        def run(q: Query = q) -> str:
            vector = engine.embedder().embed_query(q.text)
            return _first(q, engine.store.dense_search(vector, 3))

        checks.check("vector search", run)


def onnx_check(settings: Settings, torch_embed: Callable[[list[str]], object]) -> str:
    """The CPU fast path the app picks on most laptops: export the model to ONNX (once, into the
    app's cache, where the app would put it too), run it in int8, and compare its vectors with the
    loaded model's."""
    import numpy as np

    from qrag_desktop.core.models.embedder import Embedder

    texts = [q.text for q in SEMANTIC_QUERIES]
    onnx = Embedder(settings.embed_model, device="cpu", dim=settings.embed_dim, precision="onnx-int8")
    vectors = onnx.embed_all(texts)
    assert onnx.numeric is not None and onnx.numeric.format == "onnx-int8", (
        f"ONNX Runtime did not serve: {onnx.numeric.reason if onnx.numeric else '?'}"
    )
    reference = np.asarray(torch_embed(texts))
    worst = float((vectors * reference).sum(axis=1).min())
    assert worst >= 0.95, f"ONNX int8 vectors differ from the model's (cosine {worst:.3f})"
    return f"int8, cosine {worst:.4f} to the loaded model"


def _index(engine, folder: Path, *, keyword_only: bool, reembed: bool = False):
    from qrag_desktop.core.progress import drain

    report = drain(engine.index([folder], keyword_only=keyword_only, reembed=reembed))
    failed = "; ".join(f"{Path(p).name}: {e}" for p, e in report.files_failed)
    assert not report.files_failed, f"files failed: {failed}"
    assert report.files_indexed == len(SAMPLES), f"indexed {report.files_indexed} of {len(SAMPLES)} files"
    assert report.chunks_total >= len(SAMPLES), f"only {report.chunks_total} chunks in the index"
    return report


@contextmanager
def _temporary_dir(keep: bool, out: TextIO) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="qrag-selftest-"))
    try:
        yield root
    finally:
        if keep:
            print(f"     kept {root}", file=out)
        else:
            shutil.rmtree(root, ignore_errors=True)


def run_selftest(
    *, out: TextIO | None = None, use_model: bool = True, embed_model: str | None = None, keep: bool = False
) -> bool:
    from qrag_desktop.core.engine import Engine
    from qrag_desktop.core.models.loading import is_model_available

    out = sys.stdout if out is None else out
    checks = Checks(out)
    settings = _user_settings()
    if embed_model:
        settings = settings.replace(embed_model=embed_model)
    kind = "built app" if getattr(sys, "frozen", False) else "Python"
    print(
        f"qrag-desktop {__version__} self-test ({kind} {sys.version.split()[0]}, {sys.platform})",
        file=out,
        flush=True,
    )

    with _temporary_dir(keep, out) as root:
        docs = root / "samples"
        paths = Paths.resolve(root / "data").ensure()
        checks.check("sample documents", lambda: f"{len(copy_samples(docs))} files in {docs}")
        checks.check("OCR reads a scanned page", lambda: ocr_check(root / "scanned"))
        engine = Engine(settings, paths)
        try:
            checks.check("Milvus Lite store opens", lambda: engine.store.location)

            def keyword_index() -> str:
                r = _index(engine, docs, keyword_only=True)
                return f"{r.files_indexed} files, {r.chunks_total} chunks in {r.seconds:.1f} s"

            if checks.check("index for keyword search", keyword_index):
                _search_checks(checks, engine, KEYWORD_QUERIES, "keyword")

            if not use_model:
                checks.note("embedding model: skipped (--no-model)")
            elif not is_model_available(settings.embed_model):
                checks.note(
                    f"embedding model {settings.embed_model}: not on disk, semantic search not checked"
                )
            else:

                def model_index() -> str:
                    r = _index(engine, docs, keyword_only=False, reembed=True)
                    emb = engine.embedder()
                    return (
                        f"{settings.embed_model} ({emb.dimension} dims on {emb.device}): "
                        f"{r.chunks_total} chunks in {r.seconds:.1f} s"
                    )

                if checks.check("index with the embedding model", model_index):
                    _vector_checks(checks, engine, SEMANTIC_QUERIES)
                    _search_checks(checks, engine, SEMANTIC_QUERIES, "hybrid")
                    checks.check(
                        "ONNX Runtime path", lambda: onnx_check(settings, engine.embedder().embed_all)
                    )
        finally:
            engine.close()

    if not keep:
        checks.check("clean up", lambda: _assert_removed(root))
    verdict = "PASSED" if checks.ok else "FAILED"
    print(f"self-test {verdict}: {checks.passed} passed, {checks.failed} failed", file=out, flush=True)
    return checks.ok


def _assert_removed(root: Path) -> str:
    assert not root.exists(), f"{root} is still there"
    return f"removed {root}"


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 when every check passed, 1 otherwise."""
    p = argparse.ArgumentParser(
        prog="qrag-desktop --self-test",
        description="Check this install: index sample documents in a temporary folder and search them.",
    )
    p.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)  # how the app passes it on
    p.add_argument(
        "--no-model", action="store_true", help="check keyword search only, even if a model is on disk"
    )
    p.add_argument(
        "--embed-model", help="embedding model id or folder to check (default: the one in settings)"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder for a look")
    args = p.parse_args(argv)
    # The self-test must never download anything: models come from disk or are skipped.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    ok = run_selftest(use_model=not args.no_model, embed_model=args.embed_model, keep=args.keep)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
