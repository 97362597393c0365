"""What ``qrag bench`` says: issue 11's targets checked against a report, and the human output
(the CPU line first: figures mean little without the machine they were measured on)."""

from __future__ import annotations

from typing import Any

# Issue 11's targets, on a 2-core AVX2 machine: (report key, comparison, goal). Memory in MiB, as
# every *_mb figure here (1.5 GB = 1536 MiB).
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("embed_speedup", ">=", 5.0),  # embed_tokens_per_s / embed_tokens_per_s_naive
    ("rerank10_speedup", ">=", 8.0),  # rerank10_ms_naive / rerank10_ms
    ("search_rerank_p95_ms", "<=", 4000.0),  # at the default rerank budget
    ("search_p50_ms", "<", 100.0),  # hybrid recall
    ("peak_rss_index_mb", "<=", 1536.0),  # qrag index in its own process
    ("peak_rss_answer_mb", "<=", 2048.0),  # qrag search with reranking in its own process
)


def targets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target's figure from this run, its goal, and whether it was met (None: not measured)."""
    out: dict[str, dict[str, Any]] = {}
    for key, op, goal in TARGETS:
        value = report.get(key)
        met = None
        if value is not None:
            met = value >= goal if op == ">=" else value <= goal if op == "<=" else value < goal
        out[key] = {"value": value, "goal": f"{op} {goal:g}", "met": met}
    return out


def print_human(r: dict[str, Any]) -> None:
    def fmt(x: Any) -> str:
        return "-" if x is None else str(x)

    from qrag_desktop.bench_cpu import describe

    print(f"CPU:        {describe(r['cpu'])}")
    pk = r["cpu"].get("peak_gflops") or {}
    print(
        f"Limit:      fp32 {fmt(pk.get('fp32'))}, int8 {fmt(pk.get('int8'))}, "
        f"bf16 {fmt(pk.get('bf16'))} GFLOP/s (all cores, highest clock; bench/README.md: the rule)"
    )
    print(f"Device:     {r['device_name']} ({r['device']}); {r['models']['which']}")
    print(
        f"Machine:    {r['machine']['processor']}, {r['machine']['cpu_capability']}, "
        f"load {r['machine']['load_average_start']}"
    )
    print(f"Corpus:     {r['corpus']}")
    en = r.get("embed_numeric") or {}
    rn = r.get("rerank_numeric") or {}
    print(
        f"Embedding:  {fmt(r['embed_tokens_per_s'])} tokens/s ({fmt(r['embed_chunks_per_s'])} chunks/s, "
        f"{en.get('format')}) vs seed {fmt(r['embed_tokens_per_s_naive'])} tokens/s: "
        f"x{fmt(r['embed_speedup'])}"
    )
    _print_limit("  limit:", r.get("embed_limit"))
    for name, entry in (r.get("embed_formats") or {}).items():
        print(f"  {name:<10}{_format_entry(entry, 'tokens_per_s', 'tokens/s')}")
    for n in (10, 30):
        if r.get(f"rerank{n}_ms") is not None:
            print(
                f"Rerank {n}:  {fmt(r[f'rerank{n}_ms'])} ms ({rn.get('format')}) vs seed "
                f"{fmt(r[f'rerank{n}_ms_naive'])} ms: x{fmt(r[f'rerank{n}_speedup'])}"
            )
    _print_limit("  limit:", r.get("rerank_limit"))
    for name, entry in (r.get("rerank10_formats") or {}).items():
        print(f"  {name:<10}{_format_entry(entry, 'ms', 'ms')}")
    parts = r.get("rerank10_parts_ms") or {}
    if parts:
        print("  parts:    " + ", ".join(f"{k} {fmt(v)} ms" for k, v in parts.items()))
    print(
        f"Search:     p50 {fmt(r['search_p50_ms'])} ms, p95 {fmt(r['search_p95_ms'])} ms "
        f"({r['search_questions']} questions; index {r['index']['model']}, {r['index']['chunks']} chunks)"
    )
    print(
        f"+ rerank:   p50 {fmt(r['search_rerank_p50_ms'])} ms, p95 {fmt(r['search_rerank_p95_ms'])} ms "
        f"({r['search_rerank_questions']} questions, {r['search_rerank_candidates']} candidates)"
    )
    b = r.get("search_rerank_budget") or {}
    if b.get("reranked"):
        budget = "none" if b.get("budget_s") is None else f"{b['budget_s']} s"
        print(
            f"  budget:   {budget}; reranked {fmt(b.get('reranked_median'))} of "
            f"{fmt(b.get('candidates_median'))} (median); every candidate: p50 "
            f"{fmt(r.get('search_rerank_full_p50_ms'))} ms, p95 {fmt(r.get('search_rerank_full_p95_ms'))} ms"
        )
    print(
        f"Peak RSS:   {fmt(r['peak_rss_mb'])} MB (embedding {fmt(r['peak_rss_embed_mb'])}, "
        f"indexing {fmt(r['peak_rss_index_mb'])}, answering {fmt(r['peak_rss_answer_mb'])}; "
        f"{r.get('peak_rss_source')})"
    )
    c = r.get("index_corpus")
    if c:
        stages = ", ".join(f"{k} {v} s" for k, v in c["stages_s"].items())
        print(
            f"Corpus:     {c['files_indexed']} files, {c['passages']} passages in {c['seconds']} s: "
            f"{fmt(c['passages_per_s'])} passages/s, {fmt(c['files_per_s'])} files/s ({stages})"
        )
    for key, t in (r.get("targets") or {}).items():
        verdict = "not measured" if t["met"] is None else "met" if t["met"] else "NOT met"
        print(f"Target:     {key} {fmt(t['value'])} {t['goal']}: {verdict}")


def _format_entry(entry: dict[str, Any], key: str, unit: str) -> str:
    if "error" in entry:
        return f"skipped: {entry['error']}"
    share = entry.get("share_of_limit")
    extra = f", {_percent(share)} of the limit" if share is not None else ""
    return f"{entry[key]} {unit}{extra}{' (chosen)' if entry.get('chosen') else ''}"


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def _print_limit(label: str, limit: dict[str, Any] | None) -> None:
    if limit and limit.get("achieved_gflops") is not None:
        share = limit.get("share")
        print(
            f"{label:<12}{limit['achieved_gflops']} GFLOP/s of {limit.get('limit_gflops')} "
            f"({limit['limit']}){f': {_percent(share)}' if share is not None else ''}"
        )


__all__ = ["TARGETS", "print_human", "targets"]
