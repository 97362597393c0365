"""Reranking within a time budget: what was scored is said, the rest keep their hybrid order, none drop.

A budget far below one batch's time makes the cut deterministic on the tiny stand-in: the small
first batch is always scored and no second one fits. The estimate rule is checked on a clock that the
reranker's batches move forward, so it does not depend on how loaded this machine is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from qrag_desktop.cli import main
from qrag_desktop.core.engine import Engine
from qrag_desktop.core.errors import Cancelled, ConfigError
from qrag_desktop.core.jobs import JobControl
from qrag_desktop.core.models.reranker import Reranker
from qrag_desktop.core.retrieval import FIRST_BATCH, score_within_budget
from qrag_desktop.core.settings import DEFAULT_RERANK_BUDGET_S, Paths, Settings, rerank_budget_for
from qrag_desktop.core.types import SearchResult
from tests.engine_helpers import write_files
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_idle, wait_index_done

pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")

TINY = 1e-6  # seconds: less than any batch takes
TOPICS = [
    "object storage such as MinIO or S3",
    "growing segments that are sealed and flushed",
    "HNSW graphs for approximate search",
    "IVF_FLAT lists of clustered vectors",
    "BM25 keyword scores per segment",
    "the RRF ranker that fuses two lists",
    "Milvus Lite running inside a Python process",
    "the jieba analyzer for Chinese text",
    "partitions that divide a collection",
    "a schema with a primary key field",
    "consistency levels for reads",
    "the dynamic field for extra keys",
    "load and release of a collection",
    "TTL for entities that expire",
    "bulk insert from Parquet files",
    "role based access control",
    "the query node and the data node",
    "a sparse inverted index",
    "an upsert that replaces an entity",
    "a range search with a radius",
    "GPU indexes such as CAGRA",
    "compaction of small segments",
]
QUESTION = "How does Milvus store data in segments?"


def write_corpus(folder: Path) -> Path:
    """One short passage per file, every one a match for the question's words, so recall finds
    more candidates than one reranking batch holds."""
    return write_files(
        folder,
        {
            f"topic{i:02d}.md": f"# Topic {i}\n\nMilvus data and segments: {t}.\n"
            for i, t in enumerate(TOPICS)
        },
    )


@pytest.fixture(scope="module")
def engine(tmp_path_factory, standin_embedder_path: str, standin_reranker_path: str) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("budget")
    folder = write_corpus(root / "docs")
    e = Engine(
        Settings(embed_model=standin_embedder_path, rerank_model=standin_reranker_path, device="cpu"),
        Paths.resolve(root / "data").ensure(),
    )
    for _ in e.index([folder]):
        pass
    yield e
    e.close()


def stages(engine: Engine, budget: float | None, top_k: int) -> tuple[SearchResult, SearchResult]:
    engine.settings = engine.settings.replace(rerank_budget_s=budget)
    recall, reranked = engine.search_stages(QUESTION, top_k=top_k)
    return recall, reranked


def ids(result: SearchResult) -> list[str]:
    return [h.chunk_id for h in result.hits]


def test_tiny_budget_reranks_one_batch_and_keeps_the_rest_in_hybrid_order(engine: Engine) -> None:
    # top_k as large as the candidate pool: every candidate is visible in the result.
    recall, result = stages(engine, TINY, top_k=20)
    batch = FIRST_BATCH
    assert len(recall.hits) == 20 > batch
    assert result.reranked
    assert (result.reranked_count, result.rerank_candidates) == (batch, 20)
    assert result.rerank_reason == "time budget"
    assert result.rerank_note() == f"{batch} of 20 reranked (time budget)"
    # nothing dropped: the same passages, each once
    assert sorted(ids(result)) == sorted(ids(recall))
    # the scored ones (the first batch in hybrid order) come first, best score first ...
    scored = result.hits[:batch]
    assert {h.chunk_id for h in scored} == set(ids(recall)[:batch])
    assert [h.score for h in scored] == sorted((h.score for h in scored), reverse=True)
    # ... and the others follow exactly in their hybrid order, with their hybrid scores
    assert result.hits[batch:] == recall.hits[batch:]

    # with the usual 5 passages per answer, the counts still say 2 of 20 and the reranked ones lead
    _, top5 = stages(engine, TINY, top_k=5)
    assert [h.chunk_id for h in top5.hits] == ids(result)[:5]
    assert (top5.reranked_count, top5.rerank_candidates) == (batch, 20)


def test_large_budget_reranks_every_candidate(engine: Engine) -> None:
    recall, result = stages(engine, 600.0, top_k=20)
    assert (result.reranked_count, result.rerank_candidates, result.rerank_reason) == (20, 20, "")
    assert result.rerank_note() == ""
    assert sorted(ids(result)) == sorted(ids(recall))
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    # the same ranking as with no budget at all (a GPU's default)
    engine.settings = engine.settings.replace(device="cpu", rerank_budget_s=float("inf"))
    *_, unlimited = engine.search_stages(QUESTION, top_k=20)
    assert ids(unlimited) == ids(result) and unlimited.reranked_count == 20


def test_recall_stage_reports_no_reranking(engine: Engine) -> None:
    recall, _ = stages(engine, TINY, top_k=5)
    assert not recall.reranked and recall.rerank_json() == {
        "reranked_count": 0,
        "rerank_candidates": 0,
        "rerank_reason": "",
    }


class ClockedReranker:
    """The real reranker, each of whose batches moves a clock on by ``seconds_per_document`` per
    document (as a slow machine would), so the budget's decisions can be checked exactly."""

    def __init__(self, real: Reranker, seconds_per_document: float) -> None:
        self.real, self.step, self.now = real, seconds_per_document, 0.0
        self.batches: list[int] = []

    def clock(self) -> float:
        return self.now

    def score_batches(
        self, query: str, documents: Sequence[str], *, sizes: Callable[[int], int] | None = None
    ) -> Iterator[tuple[int, list[float]]]:
        for start, scores in self.real.score_batches(query, documents, sizes=sizes):
            self.now += self.step * len(scores)
            self.batches.append(len(scores))
            yield start, scores


@pytest.mark.parametrize(
    ("budget", "batches"),
    [
        # 20 documents, 0.25 s each, batches of at most 8. First 2 (0.5 s); then what fits in the rest.
        (1.9, [2, 5]),  # 1.4 s left: 5 fit (1.25 s); then 0.15 s left: not one more
        (5.0, [2, 8, 8, 2]),  # exactly enough for all 20
        (0.1, [2]),  # the first batch is always scored, even over the budget
        (None, [8, 8, 4]),  # no budget: the reranker's own batches
    ],
)
def test_batches_are_sized_to_the_time_left(engine: Engine, budget: float | None, batches: list[int]) -> None:
    real = engine.reranker()
    slow = ClockedReranker(real, seconds_per_document=0.25)
    docs = [f"Milvus data and segments: {t}." for t in TOPICS[:20]]
    scores, reason = score_within_budget(slow, QUESTION, docs, budget, clock=slow.clock)
    assert slow.batches == batches  # a batch not started is not computed
    assert len(scores) == sum(batches) and reason == ("" if sum(batches) == 20 else "time budget")
    assert budget is None or slow.now <= max(budget, 0.5)  # within the budget, or the first batch only
    assert scores == pytest.approx(real.score(QUESTION, docs)[: len(scores)])  # the first ones, in order


def test_cancel_stops_reranking_between_batches(engine: Engine) -> None:
    control = JobControl()
    slow = ClockedReranker(engine.reranker(), seconds_per_document=0.0)
    original = slow.score_batches

    def cancel_after_first(
        query: str, documents: Sequence[str], *, sizes: Callable[[int], int] | None = None
    ) -> Iterator[tuple[int, list[float]]]:
        for item in original(query, documents, sizes=sizes):
            control.cancel()  # the person presses Stop while the first batch is scored
            yield item

    slow.score_batches = cancel_after_first  # type: ignore[method-assign]
    with pytest.raises(Cancelled):
        score_within_budget(slow, QUESTION, [f"passage {t}" for t in TOPICS[:20]], 600.0, control=control)
    assert len(slow.batches) == 1


def test_default_budget_is_on_for_a_cpu_and_off_for_a_gpu_and_zero_is_refused(engine: Engine) -> None:
    assert rerank_budget_for(None, "cpu") == DEFAULT_RERANK_BUDGET_S
    assert rerank_budget_for(None, "cuda") is None and rerank_budget_for(None, "mps") is None
    assert rerank_budget_for(1.5, "cuda") == 1.5  # a value set by the person holds everywhere
    engine.settings = engine.settings.replace(rerank_budget_s=0)
    with pytest.raises(ConfigError) as err:
        engine.search(QUESTION)
    assert "must be more than 0 seconds" in err.value.user_text()
    assert "Default in Settings" in err.value.user_text()
    engine.settings = engine.settings.replace(rerank_budget_s=None)


# -- command line ------------------------------------------------------------------------------------


@pytest.fixture
def qrag(tmp_path: Path, capsys, standin_embedder_path: str, standin_reranker_path: str):
    data = tmp_path / "data"

    def run(*args: str) -> tuple[int, str, str]:
        argv = ["--data-dir", str(data), "--embed-model", standin_embedder_path]
        rc = main([*argv, "--rerank-model", standin_reranker_path, *args])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def test_qrag_search_reports_how_many_were_reranked(qrag, tmp_path: Path) -> None:
    assert qrag("index", str(write_corpus(tmp_path / "docs")), "--json")[0] == 0

    rc, out, err = qrag("search", QUESTION, "--json", "--top-k", "20", "--rerank-budget", str(TINY))
    assert rc == 0, err
    res = json.loads(out)
    assert res["reranked"] is True
    counts = (res["reranked_count"], res["rerank_candidates"], res["rerank_reason"])
    assert counts == (FIRST_BATCH, 20, "time budget")
    assert len(res["hits"]) == 20  # nothing dropped

    rc, out, err = qrag("search", QUESTION, "--json", "--rerank-budget", "600")
    res = json.loads(out)
    assert (res["reranked_count"], res["rerank_candidates"], res["rerank_reason"]) == (20, 20, "")

    rc, out, err = qrag("search", QUESTION, "--rerank-budget", str(TINY))
    assert rc == 0 and f"{FIRST_BATCH} of 20 reranked (time budget)" in err
    rc, out, err = qrag("search", QUESTION, "--rerank-budget", "600")
    assert rc == 0 and "reranked (time budget)" not in err

    rc, out, err = qrag("search", QUESTION, "--rerank-budget", "0")
    assert rc == 2 and "The time for reranking must be more than 0 seconds" in err


def test_qrag_ask_json_reports_the_rerank_counts(qrag, tmp_path: Path, openai_server, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.set_reply("Segments are flushed [1].")
    assert qrag("index", str(write_corpus(tmp_path / "docs")), "--json")[0] == 0
    rc, out, err = qrag("ask", QUESTION, "--json", "--rerank-budget", str(TINY))
    assert rc == 0, err
    res = json.loads(out)
    counts = (res["reranked_count"], res["rerank_candidates"], res["rerank_reason"])
    assert counts == (FIRST_BATCH, 20, "time budget")


# -- the window --------------------------------------------------------------------------------------


def _ask(qtbot, w, question: str) -> None:
    w.chat.question.setText(question)
    qtbot.mouseClick(w.chat.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.asking.job is None, timeout=60000)


def test_sources_panel_says_how_many_were_reranked(
    qtbot, make_window, tmp_path: Path, standin_embedder_path: str, standin_reranker_path: str, openai_server
) -> None:
    openai_server.set_reply("Segments are flushed [1].")
    base = Settings(
        embed_model=standin_embedder_path,
        rerank_model=standin_reranker_path,
        openai_base_url=openai_server.base_url,
        device="cpu",
        rerank_budget_s=TINY,
    )
    w = make_window(base)
    w.add_folders([str(write_corpus(tmp_path / "docs"))])
    wait_index_done(qtbot, w)
    wait_idle(qtbot, w)

    _ask(qtbot, w, QUESTION)
    label = w.sources.stage_label.text()
    assert f"{FIRST_BATCH} of 20 reranked (time budget)" in label
    assert len(w.sources.sources()) == 5  # the answer still has its five passages
    # the passages below the reranked ones say why they are not
    assert w.sources.list.topLevelItem(FIRST_BATCH - 1).toolTip(3) == ""  # reranked
    assert "Not reranked" in w.sources.list.topLevelItem(FIRST_BATCH).toolTip(3)
    w.set_settings(w.settings.replace(top_k=10))
    _ask(qtbot, w, QUESTION)
    assert "Not reranked" in w.sources.list.topLevelItem(9).toolTip(3)
    assert w.sources.list.topLevelItem(FIRST_BATCH - 1).toolTip(3) == ""

    w.set_settings(w.settings.replace(rerank_budget_s=600.0, top_k=5))
    _ask(qtbot, w, QUESTION)
    assert w.sources.stage_label.text() == "Best passages, reranked by relevance."
    wait_idle(qtbot, w)


def _open_settings(qtbot, w):
    qtbot.mouseClick(w.toolbar.widgetForAction(w.settings_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.settings_dialog is not None and w.settings_dialog.isVisible(), timeout=5000)
    return w.settings_dialog


def _save(qtbot, dlg) -> None:
    box = dlg.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_settings_dialog_round_trips_the_time_for_reranking(qtbot, make_window) -> None:
    w = make_window(check_models=False)
    settings_file = w.paths.config_dir / "settings.toml"

    dlg = _open_settings(qtbot, w)
    assert dlg.budget_spin.text() == "Default"
    assert dlg.budget_source.text() == f"Default: {DEFAULT_RERANK_BUDGET_S:g} s on a CPU, no limit on a GPU."
    assert "Time for reranking (seconds)" in [
        lbl.text() for lbl in dlg.findChildren(type(dlg.budget_source)) if lbl.text()
    ]
    dlg.budget_spin.setValue(4.5)
    assert "At most 4.5 s per question" in dlg.budget_source.text()
    _save(qtbot, dlg)
    assert w.settings.rerank_budget_s == 4.5 and w.engine.settings.rerank_budget_s == 4.5
    assert "rerank_budget_s = 4.5" in settings_file.read_text(encoding="utf-8")

    dlg = _open_settings(qtbot, w)  # shown again as saved, and said where it comes from
    assert dlg.budget_spin.value() == 4.5
    assert dlg.budget_source.text() == "From the settings file: at most 4.5 s per question."
    dlg.budget_spin.setValue(0)  # back to Default
    _save(qtbot, dlg)
    assert w.settings.rerank_budget_s is None
    assert "rerank_budget_s" not in settings_file.read_text(encoding="utf-8")

    # a value the box cannot show (set in the file) survives a save that did not touch it
    w.set_settings(w.settings.replace(rerank_budget_s=TINY))
    dlg = _open_settings(qtbot, w)
    assert dlg.budget_spin.text() != "Default"
    assert dlg.budget_source.text() == f"From the settings file: at most {TINY:g} s per question."
    _save(qtbot, dlg)
    assert w.settings.rerank_budget_s == TINY

    # reranking off: the time for it cannot be set
    dlg = _open_settings(qtbot, w)
    dlg.rerank_check.setChecked(False)
    assert not dlg.budget_spin.isEnabled()
    dlg.reject()
    wait_idle(qtbot, w)
