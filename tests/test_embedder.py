"""Queries carry the instruction, passages do not; Matryoshka sizes, batching and padding are right."""

from __future__ import annotations

import numpy as np
import pytest

from qrag_desktop.core.errors import ConfigError
from qrag_desktop.core.models.embedder import Embedder

QWEN_QUERY_PROMPT = (
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"
)
ENDOFTEXT = 151643
TEXTS = [
    "Milvus is a vector database built for similarity search.",
    "short",
    "Create a collection with a schema, then insert entities and build an index. " * 6,
    "Flush after a batch of writes; searching growing segments is slow.",
    "A partition is a division of a collection.",
    "Bananas are yellow and rich in potassium.",
    "HNSW is a graph index; FLAT is exact search over every vector.",
]


@pytest.fixture(scope="module")
def embedder(standin_embedder_path: str) -> Embedder:
    e = Embedder(standin_embedder_path, device="cpu")
    e.warm_up()
    return e


@pytest.fixture(scope="module")
def small_embedder(standin_embedder_path: str) -> Embedder:
    """32 of 64 dimensions, and a per-collection task."""
    e = Embedder(
        standin_embedder_path, device="cpu", dim=32, query_instruction="Find code that answers the question"
    )
    e.warm_up()
    return e


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_query_gets_the_instruction_and_documents_do_not(embedder: Embedder) -> None:
    assert embedder.query_prompt == QWEN_QUERY_PROMPT
    query = "how do I flush?"
    q = embedder.embed_query(query)
    assert q.shape == (64,) and q.dtype == np.float32
    assert float(np.linalg.norm(q)) == pytest.approx(1.0, abs=1e-5)
    # A passage is embedded as it is: so the passage "<prompt><query>" is exactly the query vector
    # (no space after "Query:"), and the bare text is something else.
    as_doc_with_prompt, as_doc = embedder.embed_all([QWEN_QUERY_PROMPT + query, query])
    np.testing.assert_allclose(q, as_doc_with_prompt, atol=1e-5)
    assert cos(q, as_doc) < 0.999
    spaced = embedder.embed_all([QWEN_QUERY_PROMPT + " " + query])[0]
    assert cos(q, spaced) < 0.999


def test_custom_task_replaces_the_default_instruction(small_embedder: Embedder) -> None:
    prompt = "Instruct: Find code that answers the question\nQuery:"
    assert small_embedder.query_prompt == prompt
    q = small_embedder.embed_query("open a file")
    np.testing.assert_allclose(q, small_embedder.embed_all([prompt + "open a file"])[0], atol=1e-5)


def test_tokenizer_appends_endoftext_once_and_pads_left(embedder: Embedder) -> None:
    tok = embedder.tokenizer
    ids = tok("Hello world")["input_ids"]
    assert ids == [9707, 1879, ENDOFTEXT]  # the real Qwen ids, <|endoftext|> appended exactly once
    assert tok("2024")["input_ids"] == [17, 15, 17, 19, ENDOFTEXT]  # Qwen splits digits one by one
    assert tok.padding_side == "left"
    batch = tok(["a", "a b c d"], padding=True)
    assert batch["attention_mask"][0][0] == 0 and batch["attention_mask"][0][-1] == 1
    assert batch["input_ids"][0][-1] == ENDOFTEXT and batch["input_ids"][1][-1] == ENDOFTEXT


def test_matryoshka_truncation_renormalizes_the_prefix(embedder: Embedder, small_embedder: Embedder) -> None:
    assert small_embedder.dimension == 32 and embedder.dimension == 64
    full = embedder.embed_all(TEXTS)
    small = small_embedder.embed_all(TEXTS)
    assert small.shape == (len(TEXTS), 32)
    expected = full[:, :32] / np.linalg.norm(full[:, :32], axis=1, keepdims=True)
    np.testing.assert_allclose(small, expected, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(small, full[:, :32], atol=1e-3)  # the plain prefix is not unit length


def test_dimension_is_validated(standin_embedder_path: str) -> None:
    with pytest.raises(ConfigError, match="too small"):
        Embedder(standin_embedder_path, dim=16)
    too_big = Embedder(standin_embedder_path, dim=100)
    with pytest.raises(ConfigError, match="64 dimensions"):
        _ = too_big.dimension  # read from the model's files, without loading it


def test_batches_cover_every_text_once_within_the_token_budget(embedder: Embedder) -> None:
    lengths = embedder.token_lengths(TEXTS)
    budget = 2 * max(lengths)
    batches = list(embedder.embed_documents(TEXTS, batch_tokens=budget))
    assert len(batches) > 1  # the caller gets control back between batches
    seen = np.concatenate([b.indices for b in batches])
    assert sorted(seen.tolist()) == list(range(len(TEXTS)))
    for b in batches:
        assert len(b.indices) * max(lengths[i] for i in b.indices) <= budget
        assert b.vectors.shape == (len(b.indices), 64) and b.vectors.dtype == np.float32
    one_by_one = np.stack([embedder.embed_all([t])[0] for t in TEXTS])
    for b in batches:
        np.testing.assert_allclose(b.vectors, one_by_one[b.indices], atol=1e-5)
    np.testing.assert_allclose(embedder.embed_all(TEXTS, batch_tokens=budget), one_by_one, atol=1e-5)
    assert embedder.embed_all([]).shape == (0, 64)


def test_minilm_has_no_prompt_and_finds_the_related_passage(minilm_path: str) -> None:
    e = Embedder(minilm_path, device="cpu", query_instruction="Given a web search query, retrieve passages")
    assert e.dimension == 384
    assert e.query_prompt is None  # a model without a query prompt gets none, whatever the task says
    query = "How do I create a collection?"
    np.testing.assert_allclose(e.embed_query(query), e.embed_all([query])[0], atol=1e-5)
    docs = e.embed_all(["To create a collection, call create_collection with a name and schema.", TEXTS[5]])
    q = e.embed_query(query)
    assert q @ docs[0] > q @ docs[1] + 0.2
    assert e.max_tokens == 256
