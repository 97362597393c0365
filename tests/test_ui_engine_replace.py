"""Replacing the engine (new models) while a job cannot be interrupted: the window goes on with the
new engine at once, and the old one is closed when that job ends, so the store file is free again."""

from __future__ import annotations

import threading

import pytest

from tests.test_store import open_in_another_process
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


def test_a_stuck_job_keeps_the_old_engine_until_it_ends_then_the_store_is_released(
    qtbot, make_window, docs
) -> None:
    from qrag_desktop.ui.workers import threads_held, threads_running

    w = make_window(check_models=False)
    w.add_folders([str(docs)])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)
    old = w.engine
    release = threading.Event()
    counted: list[int] = []

    def uninterruptible() -> None:  # like a model load: it sees no cancel until it returns
        release.wait(60)
        counted.append(old.store.count())

    w.jobs.create("stuck", uninterruptible).start()
    w.replace_engine(w.settings)  # waits its bounded time, then goes on without the stuck job
    assert w.engine is not old
    assert w.engine.status().chunks > 0  # the new engine serves the same index meanwhile
    release.set()
    qtbot.waitUntil(lambda: "qrag-stuck" not in threads_running(), timeout=30000)
    assert counted and counted[0] > 0  # the old engine stayed open for the job that still used it
    w.close()
    # Released threads: each one's end was handled on the GUI thread, where the stuck job's end
    # closes the old engine (its thread stopping first is not yet that).
    qtbot.waitUntil(lambda: not threads_running() and threads_held() == 0, timeout=30000)

    out = open_in_another_process(w.paths.store_path)  # no engine of this process holds the file
    assert out.returncode == 0 and out.stdout.split()[0] == "READY", out.stderr[-1000:]
