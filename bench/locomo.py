#!/usr/bin/env python3
"""LOCOMO evidence recall: graphmem (and mem0, side by side) on LOCOMO conversations.

Each conversation is added turn by turn (one `add` per turn, infer=False unless --infer) into its own
user_id scope; then every question with evidence is searched (limit 20) in that scope. A question's
recall at k is the share of its evidence dia_ids found among the top k results' metadata["dia_id"].

Reported per category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial) and 1-4:
R@1,3,5,10,20; mean context words at k=10 (top-10 memories + all returned relations' source,
relationship, target and fact); search p50/p95 ms; add turns/s.

    python bench/locomo.py --data ../shared/data/locomo-dev --systems graphmem,mem0 --json locomo.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    Conversation,
    evidence_ids,
    graphmem_memory,
    load_locomo,
    pct,
    print_table,
    ratio,
    set_threads,
    try_mem0,
    words,
    workdir,
    write_json,
)

KS = (1, 3, 5, 10, 20)
CATEGORIES = {"1": "multi-hop", "2": "temporal", "3": "open-domain", "4": "single-hop", "5": "adversarial",
              "1-4": "all but 5"}

AddFn = Callable[[str, str, dict[str, str]], None]
SearchFn = Callable[[str, str, int], dict[str, Any]]


def context_words(result: dict[str, Any], k: int = 10) -> int:
    n = sum(words(str(r.get("memory", ""))) for r in result.get("results", [])[:k])
    for rel in result.get("relations") or []:
        n += words(" ".join(str(rel.get(f) or "") for f in ("source", "relationship", "target", "fact")))
    return n


def result_ids(item: dict[str, Any]) -> set[str]:
    value = (item.get("metadata") or {}).get("dia_id") or []
    return {value} if isinstance(value, str) else set(value)


def run_system(name: str, add: AddFn, search: SearchFn, conversations: list[Conversation],
               max_questions: int) -> dict[str, Any]:
    recall: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    ctx: list[int] = []
    search_ms: list[float] = []
    returned: list[int] = []
    add_s, n_turns = 0.0, 0
    for conv in conversations:
        user = f"locomo-{conv.conv_id}"
        t0 = time.perf_counter()
        for turn in conv.turns:
            add(turn.text, user, turn.metadata())
        add_s += time.perf_counter() - t0
        n_turns += len(conv.turns)
        questions = [q for q in conv.qa if evidence_ids(q)]
        if max_questions:
            questions = questions[:max_questions]
        for q in questions:
            t1 = time.perf_counter()
            res = search(q["question"], user, max(KS))
            search_ms.append((time.perf_counter() - t1) * 1000)
            hits = [result_ids(r) for r in res.get("results", [])]
            returned.append(len(hits))
            evidence = evidence_ids(q)
            cats = [str(q["category"])] + (["1-4"] if q["category"] in (1, 2, 3, 4) else [])
            for k in KS:
                found = set().union(*hits[:k])
                for cat in cats:
                    recall[cat][k].append(len(evidence & found) / len(evidence))
            ctx.append(context_words(res))
        print(f"  {name}: conv {conv.conv_id}: {len(conv.turns)} turns in {time.perf_counter() - t0:.1f}s "
              f"(add + {len(questions)} questions)", file=sys.stderr)
    return {
        "recall": {cat: {"n": len(ks[1]), **{f"R@{k}": round(sum(v) / len(v), 4) for k, v in sorted(ks.items())}}
                   for cat, ks in sorted(recall.items())},
        "ctx_words_at_10": round(sum(ctx) / len(ctx), 1) if ctx else None,
        "mean_results_returned": round(sum(returned) / len(returned), 2) if returned else None,
        "search_ms_p50": round(pct(search_ms, 50), 2),
        "search_ms_p95": round(pct(search_ms, 95), 2),
        "add_turns_per_s": round(n_turns / add_s, 1) if add_s else None,
        "turns": n_turns,
        "questions": len(search_ms),
    }


def graphmem_system(config: dict[str, Any] | None, tmp: str, infer: bool) -> tuple[AddFn, SearchFn, Any]:
    memory = graphmem_memory(config, tmp)

    def add(text: str, user: str, metadata: dict[str, str]) -> None:
        memory.add(text, user_id=user, metadata=metadata, infer=infer)

    def search(query: str, user: str, limit: int) -> dict[str, Any]:
        out: dict[str, Any] = memory.search(query, user_id=user, limit=limit)
        return out

    return add, search, memory


def mem0_system(tmp: str, infer: bool) -> tuple[AddFn, SearchFn, Any] | str:
    if infer:
        return "mem0 with infer=True needs an LLM, which this offline benchmark does not have"
    memory, why = try_mem0(tmp)
    if memory is None:
        return why or "mem0 unavailable"

    def add(text: str, user: str, metadata: dict[str, str]) -> None:
        memory.add(text, user_id=user, metadata=metadata, infer=False)

    def search(query: str, user: str, limit: int) -> dict[str, Any]:
        out: dict[str, Any] = memory.search(query, filters={"user_id": user}, top_k=limit)
        return out

    return add, search, memory


def print_report(results: dict[str, dict[str, Any]]) -> None:
    names = list(results)
    pair = names[:2] if len(names) == 2 else None
    cats = sorted({c for r in results.values() for c in r["recall"]}, key=lambda c: (c == "1-4", c))
    rows: list[list[Any]] = []
    for cat in cats:
        for i, name in enumerate(names):
            rec = results[name]["recall"].get(cat, {})
            label = f"{cat} {CATEGORIES.get(cat, '')}" if i == 0 else ""
            rows.append([label, rec.get("n"), name, *(rec.get(f"R@{k}") for k in KS)])
        if pair:
            a, b = (results[n]["recall"].get(cat, {}) for n in pair)
            rows.append(["", "", f"ratio {pair[0]}/{pair[1]}", *(ratio(a.get(f"R@{k}"), b.get(f"R@{k}")) for k in KS)])
    print("\nEvidence recall (share of evidence turns in the top k)")
    print_table(["category", "n", "system", *(f"R@{k}" for k in KS)], rows)

    keys = ["ctx_words_at_10", "mean_results_returned", "search_ms_p50", "search_ms_p95", "add_turns_per_s"]
    perf: list[list[Any]] = [[n, *(results[n].get(k) for k in keys)] for n in names]
    if pair:
        perf.append([f"ratio {pair[0]}/{pair[1]}", *(ratio(results[pair[0]].get(k), results[pair[1]].get(k))
                                                     for k in keys)])
    print("\nContext, latency and add rate")
    print_table(["system", "ctx words@10", "results", "search p50 ms", "search p95 ms", "add turns/s"], perf, 2)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory of LOCOMO conversation JSON files")
    ap.add_argument("--systems", default="graphmem", help="comma-separated: graphmem, mem0")
    ap.add_argument("--convs", default="", help="comma-separated conversation ids (file stems), default all")
    ap.add_argument("--config", help="JSON file with a graphmem config (default: Kuzu in a temp directory)")
    ap.add_argument("--infer", action="store_true", help="add with infer=True (graphmem's offline extractor)")
    ap.add_argument("--max-questions", type=int, default=0, help="per conversation, 0 = all")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    set_threads(args.threads)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := set(systems) - {"graphmem", "mem0"}:
        ap.error(f"unknown systems: {sorted(unknown)}")
    config = json.loads(Path(args.config).read_text()) if args.config else None
    conversations = list(load_locomo(args.data, [c for c in args.convs.split(",") if c]))
    print(f"LOCOMO: {len(conversations)} conversations ({', '.join(c.conv_id for c in conversations)}), "
          f"{sum(len(c.turns) for c in conversations)} turns, infer={args.infer}")

    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for name in systems:
        tmp = workdir(f"bench-locomo-{name}-")
        built = graphmem_system(config, tmp, args.infer) if name == "graphmem" else mem0_system(tmp, args.infer)
        if isinstance(built, str):
            skipped[name] = built
            print(f"skipping {name}: {built}")
            continue
        add, search, memory = built
        try:
            results[name] = run_system(name, add, search, conversations, args.max_questions)
        finally:
            memory.close()
            shutil.rmtree(tmp, ignore_errors=True)

    if results:
        print_report(results)
    summary = {"benchmark": "locomo-evidence-recall", "data": args.data,
               "convs": [c.conv_id for c in conversations], "infer": args.infer, "config": config,
               "systems": results, "skipped": skipped}
    if len(results) == 2:
        a, b = list(results)
        summary["ratios"] = {
            "pair": f"{a}/{b}",
            "recall": {cat: {f"R@{k}": ratio(results[a]["recall"][cat].get(f"R@{k}"),
                                             results[b]["recall"].get(cat, {}).get(f"R@{k}")) for k in KS}
                       for cat in results[a]["recall"]},
            **{key: ratio(results[a][key], results[b][key])
               for key in ("search_ms_p50", "search_ms_p95", "add_turns_per_s", "ctx_words_at_10")},
        }
    for name, why in skipped.items():
        print(f"{name}: skipped ({why})")
    write_json(args.json, summary)
    return summary


if __name__ == "__main__":
    main()
