"""The child process's side of the ONNX export: load the checkpoint in fp32 with eager attention,
trace the embedder's or the reranker's graph, quantize it (see ``onnx_export`` for why each choice).
Imported only in the export process: torch, onnx and the quantizer never load in the app for it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from qrag_desktop.core.models.onnx_export import (
    EXTERNAL_DATA_BYTES,
    FP32_FILE,
    INT8_FILE,
    META_FILE,
    TOKENIZER_DIR,
    OnnxUnavailable,
)


def export_main(conn: Connection, kind: str, model_path: str, out: str) -> None:
    """Child process: export ``model_path`` into ``out`` and report ("step", n), then ("ok",) or
    ("error", why). Runs in a fresh interpreter (spawn), so torch's memory goes with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # The quantizer's advice ("consider pre-processing") and loading bars are not a user's concern.
    logging.getLogger().setLevel(logging.ERROR)
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        from qrag_desktop.core.models.device import configure_cpu_threads

        configure_cpu_threads()
        folder = Path(out)
        if kind == "embedder":
            meta = _export_embedder(model_path, folder, lambda n: conn.send(("step", n)))
        elif kind == "reranker":
            meta = _export_reranker(model_path, folder, lambda n: conn.send(("step", n)))
        else:
            raise ValueError(f"unknown model kind {kind!r}")
        (folder / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        conn.send(("ok",))
    except BaseException as exc:  # every failure is a one-line reason for the parent's log
        with contextlib.suppress(Exception):
            conn.send(("error", f"{exc.__class__.__name__}: {exc}"))
    finally:
        conn.close()


def _export_graph(module: Any, folder: Path, inputs: tuple[Any, ...], output: str) -> None:
    import warnings

    import torch

    folder.mkdir(parents=True, exist_ok=True)
    with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow: shapes are dynamic
        torch.onnx.export(
            module,
            inputs,
            str(folder / FP32_FILE),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=[output],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                output: {0: "batch"},
            },
        )


def _dummy_inputs() -> tuple[Any, Any]:
    """Two rows, one left-padded, so the padding mask is part of the traced graph."""
    import torch

    ids = torch.tensor([[5, 6, 7, 8, 9, 10, 11, 12], [0, 0, 0, 5, 6, 7, 8, 9]], dtype=torch.long)
    mask = torch.tensor([[1] * 8, [0, 0, 0, 1, 1, 1, 1, 1]], dtype=torch.long)
    return ids, mask


def _quantize(folder: Path, *, keep_narrow: int = 0) -> None:
    """Dynamic int8 (weights per channel) of the MatMuls with a weight, except those whose weight has
    only ``keep_narrow`` output columns (the reranker's two-row answer head)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = folder / FP32_FILE
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    exclude: list[str] = []
    if keep_narrow:
        model = onnx.load(str(fp32), load_external_data=False)
        narrow = {i.name for i in model.graph.initializer if len(i.dims) == 2 and i.dims[1] == keep_narrow}
        exclude = [n.name for n in model.graph.node if n.op_type == "MatMul" and set(n.input) & narrow]
        if not exclude:
            raise OnnxUnavailable("the answer head was not found in the exported graph")
        del model
    quantize_dynamic(
        str(fp32),
        str(folder / INT8_FILE),
        op_types_to_quantize=["MatMul"],  # not Gather: the embedding table stays fp32
        per_channel=True,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=exclude,
        use_external_data_format=size > EXTERNAL_DATA_BYTES,
    )


def _export_embedder(model_path: str, folder: Path, step: Callable[[int], None]) -> dict[str, Any]:
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(
        model_path, device="cpu", model_kwargs={"attn_implementation": "eager", "dtype": torch.float32}
    )
    modules = list(st)
    transformer, rest = modules[0], modules[1:]
    names = [type(m).__name__ for m in rest]
    if not names or names[0] != "Pooling" or any(n != "Normalize" for n in names[1:]):
        raise OnnxUnavailable(f"unsupported sentence-transformers pipeline: {['Transformer', *names]}")
    mode = rest[0].pooling_mode
    mode = mode[0] if isinstance(mode, list | tuple) and len(mode) == 1 else mode
    if mode not in ("lasttoken", "mean", "cls"):
        raise OnnxUnavailable(f"unsupported pooling {mode!r}")
    normalize = "Normalize" in names
    model: Any = transformer.auto_model
    model.float().eval()

    class EmbedGraph(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            h = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if mode == "lasttoken":
                v = h[:, -1]  # right only with left padding: every row ends in its real last token
            elif mode == "cls":
                v = h[:, 0]
            else:
                m = attention_mask.unsqueeze(-1).to(h.dtype)
                v = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, p=2.0, dim=-1) if normalize else v

    step(2)
    _export_graph(EmbedGraph(model).eval(), folder, _dummy_inputs(), "embedding")
    tokenizer = st.tokenizer
    tokenizer.save_pretrained(str(folder / TOKENIZER_DIR))
    meta = {
        "kind": "embedder",
        "pooling": mode,
        "normalize": normalize,
        "dimension": int(st.get_embedding_dimension() or 0),
        "max_seq_length": int(st.max_seq_length or tokenizer.model_max_length),
        "prompts": dict(st.prompts),
        "padding_side": "left" if mode == "lasttoken" else str(tokenizer.padding_side),
    }
    del st, model
    step(3)
    _quantize(folder)
    return meta


def _export_reranker(model_path: str, folder: Path, step: Callable[[int], None]) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    yes, no = tokenizer.convert_tokens_to_ids("yes"), tokenizer.convert_tokens_to_ids("no")
    if not isinstance(yes, int) or not isinstance(no, int):
        raise OnnxUnavailable("the tokenizer has no single 'yes'/'no' tokens")
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    rows = model.get_output_embeddings().weight[[no, yes]].detach().clone().float()

    class RerankGraph(torch.nn.Module):
        def __init__(self, base: torch.nn.Module) -> None:
            super().__init__()
            self.base = base
            self.answer_cols = torch.nn.Parameter(rows.T.contiguous(), requires_grad=False)  # (hidden, 2)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            # Positions count real tokens only, as the torch path does with left padding.
            positions = (attention_mask.cumsum(dim=1) - 1).clamp(min=0)
            h = self.base(
                input_ids=input_ids, attention_mask=attention_mask, position_ids=positions, use_cache=False
            ).last_hidden_state
            return h[:, -1] @ self.answer_cols  # (batch, 2): "no", "yes"

    step(2)
    graph = RerankGraph(model.model).eval()
    _export_graph(graph, folder, _dummy_inputs(), "no_yes_logits")
    del model, graph
    step(3)
    # The answer head is two rows read once per passage: int8 would cost quality and save nothing.
    _quantize(folder, keep_narrow=2)
    return {"kind": "reranker", "yes_id": yes, "no_id": no}
