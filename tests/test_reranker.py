"""The reranker feeds Qwen3-Reranker exactly the official template and reads P(yes) correctly."""

from __future__ import annotations

import math

import pytest
import torch

from qrag_desktop.core.models.reranker import Reranker

# Typed out from the model card (docs/models-and-store.md), not imported, so a drift in the code shows.
OFFICIAL_PREFIX = (
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the "
    'Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n'
)
OFFICIAL_SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
DEFAULT_INSTRUCTION = "Given a web search query, retrieve relevant passages that answer the query"
YES, NO = 9693, 2152

QUERY = "How do I create a collection in Milvus?"
DOCS = [
    "Use create_collection() with a schema to make a new collection.",
    "Bananas are yellow.",
    "A partition is a division of a collection. " * 12,
    "Milvus Lite stores data in a local file; flush after writing a batch.",
    "ok",
]


def official_text(query: str, doc: str, instruction: str = DEFAULT_INSTRUCTION) -> str:
    return f"{OFFICIAL_PREFIX}<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {doc}{OFFICIAL_SUFFIX}"


@pytest.fixture(scope="module")
def reranker(standin_reranker_path: str) -> Reranker:
    r = Reranker(standin_reranker_path, device="cpu", batch_size=8)
    r.warm_up()
    return r


@pytest.fixture(scope="module")
def reference_model(standin_reranker_path: str):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(standin_reranker_path, dtype=torch.float32).eval()


def reference_score(model, ids: list[int]) -> float:
    """P(yes) from a full, unpadded forward pass over every position (no shortcuts)."""
    with torch.inference_mode():
        logits = model(torch.tensor([ids])).logits[0, -1].float()
    return 1.0 / (1.0 + math.exp(-(float(logits[YES]) - float(logits[NO]))))


def test_input_is_the_official_template_token_for_token(reranker: Reranker) -> None:
    tok = reranker.tokenizer
    inputs = reranker.build_inputs(QUERY, DOCS[:2])
    for doc, ids in zip(DOCS[:2], inputs, strict=True):
        assert tok.decode(ids) == official_text(QUERY, doc)
        body = f"<Instruct>: {DEFAULT_INSTRUCTION}\n<Query>: {QUERY}\n<Document>: {doc}"
        expected = (
            tok.encode(OFFICIAL_PREFIX, add_special_tokens=False)
            + tok.encode(body, add_special_tokens=False)
            + tok.encode(OFFICIAL_SUFFIX, add_special_tokens=False)
        )
        assert ids == expected
        assert ids[0] == 151644  # <|im_start|>, the real Qwen3 id
        assert 151667 in ids and 151668 in ids  # <think></think>: the empty think block is there


def test_yes_no_are_the_qwen_token_ids(reranker: Reranker) -> None:
    assert reranker.tokenizer.convert_tokens_to_ids(["yes", "no"]) == [YES, NO]


def test_custom_instruction_goes_into_the_body(standin_reranker_path: str, reranker: Reranker) -> None:
    other = Reranker(standin_reranker_path, device="cpu", instruction="Find code that answers the question")
    other._tokenizer, other._model = reranker._tokenizer, reranker._model  # share the loaded model
    other._prefix_ids, other._suffix_ids, other._device = reranker._prefix_ids, reranker._suffix_ids, "cpu"
    text = reranker.tokenizer.decode(other.build_inputs(QUERY, ["x"])[0])
    assert text == official_text(QUERY, "x", "Find code that answers the question")


def test_batched_scores_equal_single_unpadded_forward(reranker: Reranker, reference_model) -> None:
    inputs = reranker.build_inputs(QUERY, DOCS)
    assert len({len(ids) for ids in inputs}) > 1  # lengths differ, so the batch is padded
    scores = reranker.score(QUERY, DOCS)
    expected = [reference_score(reference_model, ids) for ids in inputs]
    assert scores == pytest.approx(expected, abs=1e-5)
    assert all(0.0 < s < 1.0 for s in scores)
    assert max(scores) - min(scores) > 1e-3  # distinct, so an order mix-up would show


def test_padding_is_on_the_left_and_batching_changes_nothing(reranker: Reranker) -> None:
    assert reranker.tokenizer.padding_side == "left"
    together = reranker.score(QUERY, DOCS)
    alone = [reranker.score(QUERY, [d])[0] for d in DOCS]
    assert together == pytest.approx(alone, abs=1e-5)


def test_scores_follow_input_order(reranker: Reranker) -> None:
    forward = reranker.score(QUERY, DOCS)
    backward = reranker.score(QUERY, DOCS[::-1])
    assert backward[::-1] == pytest.approx(forward, abs=1e-5)


def test_score_batches_yield_per_batch_with_start_offsets(
    standin_reranker_path: str, reranker: Reranker
) -> None:
    reranker.batch_size = 2
    try:
        batches = list(reranker.score_batches(QUERY, DOCS))
    finally:
        reranker.batch_size = 8
    assert [start for start, _ in batches] == [0, 2, 4]
    assert [len(s) for _, s in batches] == [2, 2, 1]
    flat = [s for _, scores in batches for s in scores]
    assert flat == pytest.approx(reranker.score(QUERY, DOCS), abs=1e-5)
    assert reranker.score(QUERY, []) == []


def test_long_document_is_cut_and_the_suffix_survives(reranker: Reranker) -> None:
    tok = reranker.tokenizer
    suffix_ids = tok.encode(OFFICIAL_SUFFIX, add_special_tokens=False)
    long_doc = " ".join(f"word{i}" for i in range(3000))
    ids = reranker.build_inputs(QUERY, [long_doc])[0]
    assert ids[-len(suffix_ids) :] == suffix_ids
    text = tok.decode(ids)
    assert text.endswith(
        "<Document>: " + long_doc[: len(text) - len(official_text(QUERY, ""))] + OFFICIAL_SUFFIX
    )
    doc_part = text[text.index("<Document>: ") + len("<Document>: ") : -len(OFFICIAL_SUFFIX)]
    assert long_doc.startswith(doc_part)
    assert len(tok.encode(doc_part, add_special_tokens=False)) == reranker.max_doc_tokens


def test_whole_input_never_exceeds_8192_tokens(reranker: Reranker) -> None:
    tok = reranker.tokenizer
    suffix_ids = tok.encode(OFFICIAL_SUFFIX, add_special_tokens=False)
    huge_query = " ".join(f"q{i}" for i in range(9000))  # the query alone is longer than the model's window
    ids = reranker.build_inputs(huge_query, ["short passage"])[0]
    assert len(ids) == 8192
    assert ids[-len(suffix_ids) :] == suffix_ids
    assert tok.decode(ids).startswith(OFFICIAL_PREFIX + "<Instruct>: ")


def test_standin_tokenizer_has_the_real_qwen3_special_token_ids(reranker: Reranker) -> None:
    names = (
        "<|endoftext|> <|im_start|> <|im_end|> <|object_ref_start|> <|object_ref_end|> <|box_start|> "
        "<|box_end|> <|quad_start|> <|quad_end|> <|vision_start|> <|vision_end|> <|vision_pad|> "
        "<|image_pad|> <|video_pad|> <tool_call> </tool_call> <|fim_prefix|> <|fim_middle|> "
        "<|fim_suffix|> <|fim_pad|> <|repo_name|> <|file_sep|> <tool_response> </tool_response> "
        "<think> </think>"
    ).split()
    tok = reranker.tokenizer
    assert tok.convert_tokens_to_ids(names) == list(range(151643, 151669))
    assert tok("<|im_start|>user\nHi<|im_end|>")["input_ids"] == [151644, 872, 198, 13048, 151645]
