"""The thread bridge never lets Qt destroy a running thread, whatever happens to the window.

Qt ends the whole process ("QThread: Destroyed while thread is still running", SIGABRT) when a
running QThread is destroyed. A window closed and deleted while one of its jobs still ran used to
leave that job's thread to Python's garbage collector, which aborted a later, unrelated test (and
would abort the app). These run in a child process, so a regression fails a test instead of
killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The owner (a stand-in for the window) is deleted and collected while its job's thread runs.
ORPHANED_JOB = r"""
import gc, threading, time
from PySide6.QtCore import QCoreApplication, QEvent, QObject
app = QCoreApplication([])
from qrag_desktop.ui.workers import JobManager, threads_held

started, release = threading.Event(), threading.Event()
def work():
    started.set()
    release.wait(20)
    return 42

owner = QObject()
jobs = JobManager(owner)
job = jobs.create("slow", work)
job.start()
assert started.wait(20)
del job, jobs
owner.deleteLater()
del owner
QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
for _ in range(3):
    gc.collect()
print("collected while running, held:", threads_held(), flush=True)
release.set()
deadline = time.monotonic() + 20
while threads_held() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("released, held:", threads_held(), flush=True)
"""

# A manager that is shutting down starts nothing new.
AFTER_SHUTDOWN = r"""
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
from qrag_desktop.ui.workers import JobManager, threads_held

ran = []
jobs = JobManager()
assert jobs.shutdown(1.0) == []
job = jobs.create("late", lambda: ran.append(1))
job.start()
app.processEvents()
print("jobs:", len(jobs.jobs()), "held:", threads_held(), "ran:", len(ran), flush=True)
"""


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_job_outliving_its_window_keeps_its_thread_until_the_thread_ends() -> None:
    out = run_child(ORPHANED_JOB)
    assert out.returncode == 0, f"child died ({out.returncode}): {out.stderr[-2000:]}"
    assert "QThread: Destroyed" not in out.stderr
    assert out.stdout.splitlines() == ["collected while running, held: 1", "released, held: 0"]


def test_a_manager_shutting_down_starts_no_new_work() -> None:
    out = run_child(AFTER_SHUTDOWN)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "jobs: 0 held: 0 ran: 0"
    assert "asked for while shutting down" in out.stderr  # said in the log, not silently dropped


def test_garbage_from_a_worker_thread_is_collected_on_the_gui_thread(qtbot) -> None:
    """Cycles that a job's thread leaves behind are freed on the GUI thread: Qt objects in such
    garbage must never be destroyed on a worker thread (that crashed a test run with SIGSEGV)."""
    import gc
    import threading

    from qrag_desktop.ui.gc_collector import GuiThreadGarbageCollector

    freed_on: list[str] = []

    class Node:
        def __init__(self, watched: bool) -> None:
            self.me = self  # a reference cycle: only the cyclic collector frees it
            self.watched = watched

        def __del__(self) -> None:
            if self.watched:
                freed_on.append(threading.current_thread().name)

    def allocate() -> None:  # far past the collector's thresholds, on a worker thread
        Node(watched=True)
        for _ in range(50_000):
            Node(watched=False)

    collector = GuiThreadGarbageCollector()
    collector.start()
    try:
        worker = threading.Thread(target=allocate, name="job-thread")
        worker.start()
        worker.join(30)
        assert freed_on == []  # nothing was collected on the worker
        qtbot.waitUntil(lambda: bool(freed_on), timeout=10000)
    finally:
        collector.stop()
    assert freed_on == [threading.main_thread().name]
    assert gc.isenabled()
