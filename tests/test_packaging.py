"""The double-click install: the built app checks itself and opens its window; the self-test's own logic.

The slow tests build the app from ``build/qrag_desktop.spec`` into temporary folders (several
minutes), then run the built executable the way a user would: no Python environment around it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from qrag_desktop import selftest
from qrag_desktop.selftest import KEYWORD_QUERIES, SEMANTIC_QUERIES, Query

REPO = Path(__file__).resolve().parent.parent
BUILD_PY = REPO / "build" / "build.py"
BUILD_TIMEOUT_S = 1500
# The first slow test also pays for the build (pytest-timeout counts fixture setup); 5-7 min on 2
# shared cores, 14 min seen when other test suites share them.
SLOW_TIMEOUT = pytest.mark.timeout(BUILD_TIMEOUT_S + 300)
SELFTEST_TIMEOUT_S = 600
WINDOW_TIMEOUT_S = 120  # a cold start imports torch and Qt from a fresh folder
NO_MARKER_WAIT_S = 20  # offscreen, without the marker: how long the app must run without crashing
STAYS_UP_S = 5  # after the window is there, the app must keep running (no crash right after showing)
MAIN_WINDOW_TITLE = "qrag-desktop"  # the main window's title starts with the app's name
WINDOW_SHOWN_MARKERS = ("main window shown",)  # what the app logs once its window is visible


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qrag_build", BUILD_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected_lines(queries: tuple[Query, ...], label: str) -> list[str]:
    return [f"OK   {label} search: {q.text!r} -> {q.expected}" for q in queries]


# -- the self-test logic, in process (fast) ---------------------------------------------------------


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the self-test would find the user's settings: empty, so defaults apply."""
    d = tmp_path / "user"
    monkeypatch.setenv("QRAG_DATA_DIR", str(d))
    monkeypatch.setenv("QRAG_CACHE_DIR", str(tmp_path / "cache"))  # the ONNX export, not in ours
    return d


def test_selftest_indexes_samples_and_finds_each_by_keyword(
    user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = selftest.main(["--no-model"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "OK   sample documents: 4 files" in out
    assert "OK   OCR reads a scanned page" in out
    assert "OK   Milvus Lite store opens" in out
    assert "OK   index for keyword search: 4 files" in out
    for line in _expected_lines(KEYWORD_QUERIES, "keyword"):
        assert line in out
    assert "OK   clean up: removed" in out
    assert out.rstrip().endswith(f"self-test PASSED: {5 + len(KEYWORD_QUERIES)} passed, 0 failed")
    assert not user_dir.exists(), "the self-test must not touch the user's data dir"


def test_selftest_fails_when_search_ranks_the_wrong_file_first(
    user_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "KEYWORD_QUERIES", (Query("龙井 绿茶", "ocean-tides.txt"),))
    rc = selftest.main(["--no-model"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL keyword search: '龙井 绿茶': expected ocean-tides.txt first, got ['green-tea-zh.md'" in out
    assert "self-test FAILED: 5 passed, 1 failed" in out


def test_selftest_checks_vector_and_hybrid_search_with_a_model_on_disk(
    user_dir: Path, capsys: pytest.CaptureFixture[str], minilm_path: str
) -> None:
    rc = selftest.main(["--embed-model", minilm_path])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "OK   index with the embedding model" in out and "384 dims" in out
    assert "OK   ONNX Runtime path" in out and "int8" in out  # the CPU fast path runs from the model
    for line in _expected_lines(SEMANTIC_QUERIES, "vector") + _expected_lines(SEMANTIC_QUERIES, "hybrid"):
        assert line in out


def test_selftest_says_so_when_no_model_is_on_disk(
    user_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc = selftest.main(["--embed-model", str(tmp_path / "no-such-model")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "not on disk, semantic search not checked" in out
    assert "vector search" not in out


# -- the built app (slow: one build for the module) -------------------------------------------------


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's double-click: none of this checkout's Python settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QRAG_", "PYTEST", "VIRTUAL_ENV"))
    }
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app built from the spec; ``QRAG_TEST_BUILT_APP=/path/to/qrag-desktop`` tests an existing build."""
    given = os.environ.get("QRAG_TEST_BUILT_APP")
    if given:
        return Path(given)
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip('PyInstaller is not installed (pip install -e ".[dev]")')
    root = tmp_path_factory.mktemp("pyinstaller")
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(BUILD_PY), "--distpath", str(root / "dist"), "--workpath", str(root / "work")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    print(f"built the app in {time.monotonic() - t0:.0f} s: {proc.stdout.strip().splitlines()[-1]}")
    shutil.rmtree(root / "work", ignore_errors=True)  # PyInstaller's scratch: gigabytes, no longer needed
    exe = _build_module().executable(root / "dist" / "qrag-desktop")
    assert exe.is_file() and os.access(exe, os.X_OK)
    return exe


@pytest.mark.slow
@SLOW_TIMEOUT
def test_built_app_has_its_resources(built_app: Path) -> None:
    internal = built_app.parent / "_internal"
    bundle = internal if internal.is_dir() else built_app.parent
    for name in ("sourdough-bread.md", "ocean-tides.txt", "bicycle-flat-tyre.html", "green-tea-zh.md"):
        assert (bundle / "qrag_desktop" / "resources" / "samples" / name).is_file()
    assert (bundle / "jieba" / "dict.txt").is_file()
    i18n = REPO / "qrag_desktop" / "resources" / "i18n"
    for qm in i18n.glob("*.qm"):
        assert (bundle / "qrag_desktop" / "resources" / "i18n" / qm.name).is_file()
    if sys.platform.startswith("linux"):
        assert (built_app.parent / "qrag-desktop.desktop").is_file()
        assert (built_app.parent / "qrag-desktop.png").is_file()


@pytest.mark.slow
@SLOW_TIMEOUT
def test_built_app_self_test_passes_offline_without_a_display(
    built_app: Path, tmp_path: Path, minilm_path: str
) -> None:
    """Keyword search, and the embedding model through the frozen torch/transformers/sentence-transformers."""
    env = _clean_env(tmp_path, QRAG_EMBED_MODEL=minilm_path)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(
        [str(built_app), "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=SELFTEST_TIMEOUT_S,
    )
    out = proc.stdout
    assert proc.returncode == 0, f"{out}\n{proc.stderr[-6000:]}"
    assert "self-test (built app" in out
    assert "OK   OCR reads a scanned page" in out
    assert "OK   Milvus Lite store opens" in out
    assert "OK   index for keyword search: 4 files" in out
    for line in _expected_lines(KEYWORD_QUERIES, "keyword"):
        assert line in out
    assert "OK   index with the embedding model" in out
    for line in _expected_lines(SEMANTIC_QUERIES, "vector") + _expected_lines(SEMANTIC_QUERIES, "hybrid"):
        assert line in out
    assert "self-test PASSED" in out and " 0 failed" in out
    assert "Traceback" not in proc.stderr


def _app_logs_window_shown() -> bool:
    """Whether the app's source writes the marker at all (then waiting for it is worth the time)."""
    sources = [REPO / "qrag_desktop" / "app.py", *(REPO / "qrag_desktop" / "ui").glob("*.py")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources if p.is_file()).lower()
    return any(marker in text for marker in WINDOW_SHOWN_MARKERS)


def _log_text(logs: Path) -> str:
    if not logs.is_dir():
        return ""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in logs.rglob("*") if p.is_file())


@contextlib.contextmanager
def _running_app(
    built_app: Path, tmp_path: Path, **env: str
) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """The built app started on a fresh data dir; stopped (politely, then not) afterwards."""
    if not (REPO / "qrag_desktop" / "app.py").is_file():
        pytest.skip("qrag_desktop/app.py (the desktop app's main()) is not written yet")
    data = tmp_path / "data"
    output = tmp_path / "app-output.txt"
    with output.open("wb") as sink:
        proc = subprocess.Popen(
            [str(built_app), "--data-dir", str(data)],
            cwd=tmp_path,
            env=_clean_env(tmp_path, LANG="C.UTF-8", **env),
            stdout=sink,
            stderr=sink,
        )
        try:
            yield proc, data, output
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=30)


@pytest.fixture
def gui_process(built_app: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    with _running_app(built_app, tmp_path, QT_QPA_PLATFORM="offscreen") as running:
        yield running


@pytest.mark.slow
@SLOW_TIMEOUT
def test_built_app_opens_its_main_window_offscreen(
    gui_process: tuple[subprocess.Popen[bytes], Path, Path],
) -> None:
    proc, data, output = gui_process
    logs = data / "logs"
    marker = _app_logs_window_shown()
    deadline = time.monotonic() + (WINDOW_TIMEOUT_S if marker else NO_MARKER_WAIT_S)
    shown = False
    while time.monotonic() < deadline and not shown:
        code = proc.poll()
        assert code is None, f"the app exited with {code}:\n{output.read_text(errors='replace')[-6000:]}"
        shown = any(m in _log_text(logs).lower() for m in WINDOW_SHOWN_MARKERS)
        time.sleep(0.5)
    if shown:
        time.sleep(STAYS_UP_S)
        assert proc.poll() is None, (
            f"the app died after showing its window:\n{output.read_text(errors='replace')}"
        )
        return
    assert not marker, (
        f"no {WINDOW_SHOWN_MARKERS[0]!r} in the log within {WINDOW_TIMEOUT_S} s:\n{_log_text(logs)}"
    )
    # The app does not (yet) log when its window is shown. It started, did not crash and wrote its log
    # in the data dir; that much is checked. The window itself is seen on a virtual display below.
    assert proc.poll() is None
    assert "starting on" in _log_text(logs), (
        f"no start-up line in {logs}:\n{output.read_text(errors='replace')}"
    )
    pytest.skip(
        f"the app ran {NO_MARKER_WAIT_S} s offscreen without crashing and logged to {logs}, but does not "
        f"log {WINDOW_SHOWN_MARKERS[0]!r} when its window is shown, so offscreen the window is not confirmed"
    )


@contextlib.contextmanager
def _virtual_display() -> Iterator[str]:
    """A fresh Xvfb display (":N"), or a skip where Xvfb or xwininfo is not installed."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None or shutil.which("xwininfo") is None:
        pytest.skip("Xvfb and xwininfo are not installed (Debian: apt install xvfb x11-utils)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        number = ready.readline().strip()  # Xvfb writes its display number once it accepts clients
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _viewable_windows(display: str, title_prefix: str) -> list[str]:
    """Titles of mapped, viewable X windows whose title starts with ``title_prefix``."""
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree", "-display", display], capture_output=True, text=True, timeout=30
    ).stdout
    found = []
    for match in re.finditer(r"^\s*(0x[0-9a-f]+) \"([^\"]*)\"", tree, re.MULTILINE):
        window_id, title = match.groups()
        if not title.startswith(title_prefix):
            continue
        info = subprocess.run(
            ["xwininfo", "-id", window_id, "-display", display], capture_output=True, text=True, timeout=30
        ).stdout
        if "Map State: IsViewable" in info:
            found.append(title)
    return found


@pytest.mark.slow
@SLOW_TIMEOUT
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="an X virtual display is a Linux check")
def test_built_app_main_window_appears_on_a_virtual_display(built_app: Path, tmp_path: Path) -> None:
    """What a person sees after a double-click: the main window, titled with the app's name."""
    with _virtual_display() as display:
        with _running_app(built_app, tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb") as (proc, _, output):
            deadline = time.monotonic() + WINDOW_TIMEOUT_S
            titles: list[str] = []
            while not titles and time.monotonic() < deadline:
                code = proc.poll()
                assert code is None, (
                    f"the app exited with {code}:\n{output.read_text(errors='replace')[-6000:]}"
                )
                titles = _viewable_windows(display, MAIN_WINDOW_TITLE)
                time.sleep(0.5)
            assert titles, f"no window titled {MAIN_WINDOW_TITLE!r}...:\n{output.read_text(errors='replace')}"
            time.sleep(STAYS_UP_S)
            assert proc.poll() is None, (
                f"the app died after showing its window:\n{output.read_text(errors='replace')}"
            )
