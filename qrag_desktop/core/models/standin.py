"""Stand-in Qwen3 models: the real layout and tokenizer, random weights.

No model hub is reachable where the tests and benchmarks run, so they build models that load and
run through exactly the same code paths as Qwen3-Embedding-0.6B and Qwen3-Reranker-0.6B: the real
BPE vocabulary (from dashscope's ``qwen.tiktoken``), the real special-token ids, the real file
layout. ``real_shape=True`` gives the real architecture, so timings match the real models.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import platformdirs
import torch
from tokenizers import AddedToken, Tokenizer, normalizers, processors
from transformers import (
    GenerationConfig,
    PreTrainedTokenizerFast,
    Qwen3Config,
    Qwen3ForCausalLM,
    Qwen3Model,
)
from transformers.convert_slow_tokenizer import TikTokenConverter

# The Qwen2/Qwen3 pre-tokenizer pattern (digits one by one, unlike cl100k's \p{N}{1,3}).
from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX as QWEN_PRETOKENIZE_REGEX

from qrag_desktop import APP_NAME
from qrag_desktop.core.errors import ModelLoadError

# Qwen3's added tokens in id order, starting right after the 151,643 BPE ranks. The flag says whether
# the real tokenizer marks the token "special" (the tool/think tags are plain added tokens there).
QWEN3_ADDED_TOKENS: tuple[tuple[str, bool], ...] = (
    ("<|endoftext|>", True),  # 151643
    ("<|im_start|>", True),  # 151644
    ("<|im_end|>", True),  # 151645
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", True),
    ("<|fim_middle|>", True),
    ("<|fim_suffix|>", True),
    ("<|fim_pad|>", True),
    ("<|repo_name|>", True),
    ("<|file_sep|>", True),
    ("<tool_response>", False),
    ("</tool_response>", False),
    ("<think>", False),  # 151667
    ("</think>", False),  # 151668
)
QWEN_BPE_RANKS = 151_643
QWEN3_VOCAB_SIZE = 151_669  # the embedding table size of Qwen3-Embedding/Reranker-0.6B
ENDOFTEXT_ID = 151_643
IM_END_ID = 151_645

EMBED_QUERY_PROMPT = (
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"
)

# Qwen3-Embedding-0.6B / Qwen3-Reranker-0.6B (both tie the output head to the embedding table).
REAL_SHAPE: dict[str, Any] = {
    "hidden_size": 1024,
    "intermediate_size": 3072,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
}
TINY_SHAPE: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
}


def qwen_tiktoken_path() -> Path:
    """The Qwen BPE ranks shipped inside the ``dashscope`` package."""
    try:
        import dashscope
    except ImportError as exc:  # a dev dependency only
        raise ModelLoadError(
            "Building a stand-in model needs the Qwen vocabulary from the 'dashscope' package.",
            cause=exc,
            hint="pip install dashscope tiktoken",
        ) from exc
    path = Path(dashscope.__file__).parent / "resources" / "qwen.tiktoken"
    if not path.is_file():
        raise ModelLoadError(f"The Qwen vocabulary is missing from the dashscope package ({path}).")
    return path


def _default_cache_dir() -> Path:
    return Path(
        os.environ.get("QRAG_STANDIN_CACHE") or platformdirs.user_cache_dir(APP_NAME, appauthor=False)
    )


def _vocab_key() -> str:
    import transformers

    vocab = qwen_tiktoken_path()
    stat = vocab.stat()
    return hashlib.sha256(
        f"{stat.st_size}:{stat.st_mtime_ns}:{transformers.__version__}:v1".encode()
    ).hexdigest()[:16]


def _convert_qwen_tokenizer() -> Tokenizer:
    tok: Tokenizer = TikTokenConverter(
        vocab_file=str(qwen_tiktoken_path()), pattern=QWEN_PRETOKENIZE_REGEX
    ).converted()  # post-processor: ByteLevel, which adds no tokens
    tok.normalizer = normalizers.NFC()
    for content, special in QWEN3_ADDED_TOKENS:  # one by one: ids follow the call order
        token = AddedToken(content, special=special, normalized=False)
        tok.add_special_tokens([token]) if special else tok.add_tokens([token])
    if tok.token_to_id("<|endoftext|>") != ENDOFTEXT_ID or tok.token_to_id("</think>") != 151_668:
        raise ModelLoadError("The converted Qwen tokenizer has unexpected special-token ids.")
    return tok


def _with_eos(text: str) -> str:
    tok = Tokenizer.from_str(text)
    tok.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single="$A:0 <|endoftext|>:0",
                pair="$A:0 <|endoftext|>:0 $B:1 <|endoftext|>:1",
                special_tokens=[("<|endoftext|>", ENDOFTEXT_ID)],
            ),
        ]
    )
    return tok.to_str()


@functools.lru_cache(maxsize=4)
def _tokenizer_json(cache_dir: str, append_eos: bool) -> str:
    """tokenizer.json text, converted once and kept in ``cache_dir`` (converting 151k ranks takes seconds)."""
    cached = Path(cache_dir) / f"qwen3-tokenizer-{_vocab_key()}-{'eos' if append_eos else 'plain'}.json"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    text = _with_eos(_tokenizer_json(cache_dir, False)) if append_eos else _convert_qwen_tokenizer().to_str()
    try:  # best effort: a read-only cache only costs the conversion time again
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass
    return text


def write_qwen_tokenizer(
    out_dir: str | os.PathLike[str],
    *,
    append_eos: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write Qwen3 tokenizer files (``tokenizer.json``, ``tokenizer_config.json``) to ``out_dir``.

    ``append_eos=True`` gives the Qwen3-Embedding tokenizer, whose post-processor appends
    ``<|endoftext|>`` to every sequence (last-token pooling reads that position); the reranker's
    tokenizer adds nothing. Both pad on the left.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = _tokenizer_json(str(Path(cache_dir or _default_cache_dir())), append_eos)
    (out / "tokenizer.json").write_text(text, encoding="utf-8")
    _write_json(
        out / "tokenizer_config.json",
        {
            # The class the real repositories name, so AutoTokenizer takes the same path for both.
            "tokenizer_class": "Qwen2Tokenizer",
            "backend": "tokenizers",
            "add_bos_token": False,
            "add_prefix_space": False,
            "bos_token": None,
            "unk_token": None,
            # As in the real repositories: eos <|im_end|>, pad <|endoftext|> (the token the
            # embedding tokenizer appends, pooled by last-token pooling).
            "eos_token": "<|im_end|>",
            "pad_token": "<|endoftext|>",
            "padding_side": "left",
            "model_max_length": 131072 if append_eos else 32768,
            "clean_up_tokenization_spaces": False,
            "errors": "replace",
            "split_special_tokens": False,
        },
    )
    return out


def build_qwen_tokenizer(
    out_dir: str | os.PathLike[str],
    *,
    append_eos: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
) -> PreTrainedTokenizerFast:
    """Write the Qwen3 tokenizer files (see ``write_qwen_tokenizer``) and load them back."""
    from transformers import AutoTokenizer

    out = write_qwen_tokenizer(out_dir, append_eos=append_eos, cache_dir=cache_dir)
    tokenizer: PreTrainedTokenizerFast = AutoTokenizer.from_pretrained(str(out))  # type: ignore[assignment]
    return tokenizer


def _config(*, real_shape: bool, eos_token_id: int) -> Qwen3Config:
    shape = REAL_SHAPE if real_shape else TINY_SHAPE
    return Qwen3Config(
        vocab_size=QWEN3_VOCAB_SIZE,
        max_position_embeddings=32768,
        max_window_layers=shape["num_hidden_layers"],
        rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0},
        tie_word_embeddings=True,
        use_sliding_window=False,
        sliding_window=None,
        bos_token_id=ENDOFTEXT_ID,
        eos_token_id=eos_token_id,
        # Tiny random models get a wider init so that scores differ visibly between inputs.
        initializer_range=0.02 if real_shape else 0.2,
        **shape,
    )


def _save_weights(model: torch.nn.Module, out: Path, *, real_shape: bool) -> None:
    if real_shape:  # the real repositories ship bfloat16 weights
        model = model.to(torch.bfloat16)
    model.save_pretrained(str(out))  # type: ignore[operator]


def build_standin_embedder(
    out_dir: str | os.PathLike[str],
    *,
    real_shape: bool = False,
    seed: int = 0,
    tokenizer_cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """A Qwen3-Embedding-shaped sentence-transformers folder with random (seeded) weights."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = _config(real_shape=real_shape, eos_token_id=ENDOFTEXT_ID)
    model = Qwen3Model(config).eval()
    _save_weights(model, out, real_shape=real_shape)
    write_qwen_tokenizer(out, append_eos=True, cache_dir=tokenizer_cache_dir)
    hidden = config.hidden_size
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": False,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": True,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": EMBED_QUERY_PROMPT, "document": ""},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": 8192, "do_lower_case": False})
    return out


def build_standin_reranker(
    out_dir: str | os.PathLike[str],
    *,
    real_shape: bool = False,
    seed: int = 1,
    tokenizer_cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """A Qwen3-Reranker-shaped causal-LM folder with random (seeded) weights."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = _config(real_shape=real_shape, eos_token_id=IM_END_ID)
    model = Qwen3ForCausalLM(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=ENDOFTEXT_ID, eos_token_id=[IM_END_ID, ENDOFTEXT_ID], pad_token_id=ENDOFTEXT_ID
    )
    _save_weights(model, out, real_shape=real_shape)
    write_qwen_tokenizer(out, append_eos=False, cache_dir=tokenizer_cache_dir)
    return out


def copy_model(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> Path:
    """Copy a built stand-in (cheaper than building another)."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return Path(dst)


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


__all__ = [
    "EMBED_QUERY_PROMPT",
    "QWEN3_ADDED_TOKENS",
    "QWEN3_VOCAB_SIZE",
    "build_qwen_tokenizer",
    "build_standin_embedder",
    "build_standin_reranker",
    "copy_model",
    "qwen_tiktoken_path",
    "write_qwen_tokenizer",
]
