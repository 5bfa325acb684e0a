#!/usr/bin/env python3
"""Where the evidence is: each search signal's own ranking beside the fused one, per question category.

For every question the search is run once (default config, limit 50) and the rankings of its signals (vector,
keyword, graph, list, feedback, time; "named" is drawn from the fused candidates and is left out) are read from
the retriever. Two tables come out:

- each signal alone: recall at 10 by category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop);
- the evidence turns the fused ranking misses at k, and how many of them are in some signal's top k (and which).

An evidence turn that no signal ranks near the top cannot be brought in by fusion weights; one that some signal
ranks there can. Conversations are added as bench/tune_weights.py adds them, into the same `--store` folder, so a
store made by one serves the other:

    python bench/signal_recall.py --locomo ../shared/data/locomo-dev --chats bench/chats --store /tmp/store
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from tune_weights import locomo_items

import graphmem.search.retrieve as retrieve_module
from graphmem import Memory

CATEGORIES = ("1", "2", "3", "4")
SIGNALS = ("vector", "keyword", "graph", "list", "feedback", "time")


def recorded_rankings(memory: Memory, name: str, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per question: the final ranking and each signal's, as the conversation's turn ids (dia_id)."""
    caught: dict[str, Any] = {}
    original = retrieve_module.Retriever._retrieve

    async def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        caught["retrieval"] = found = await original(self, *args, **kwargs)
        return found

    rows = memory.get_all(user_id=name, limit=1_000_000)["results"]
    turn = {r["id"]: (r.get("metadata") or {}).get("dia_id") for r in rows}
    recorded = []
    retrieve_module.Retriever._retrieve = recording  # type: ignore[method-assign]  # a bench probe, not the product
    try:
        for question in questions:
            final = memory.search(question["q"], user_id=name, limit=50)["results"]
            rankings = caught["retrieval"].rankings
            recorded.append({"category": str(question["category"]), "evidence": sorted(question["evidence"]),
                             "final": [turn.get(r["id"]) for r in final],
                             "signals": {s: [turn.get(i) for i in rankings.get(s, [])[:50]] for s in SIGNALS}})
    finally:
        retrieve_module.Retriever._retrieve = original  # type: ignore[method-assign]
    return recorded


def found(ranking: list[str | None], evidence: list[str], k: int) -> float:
    return sum(1 for e in evidence if e in ranking[:k]) / len(evidence)


def report(family: str, recorded: list[dict[str, Any]], ks: list[int]) -> None:
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in recorded:
        if item["category"] in CATEGORIES:
            by_category[item["category"]].append(item)
    print(f"\n{family}: recall at 10 of each ranking alone, by category (questions)")
    for category, items in sorted(by_category.items()):
        cells = [f"fused {sum(found(i['final'], i['evidence'], 10) for i in items) / len(items):.2f}"]
        cells += [f"{s} {sum(found(i['signals'][s], i['evidence'], 10) for i in items) / len(items):.2f}"
                  for s in SIGNALS]
        print(f"  {category} ({len(items)}): " + "  ".join(cells))
    for k in ks:
        print("  " + missed_at(by_category, k))


def missed_at(by_category: dict[str, list[dict[str, Any]]], k: int) -> str:
    """How many evidence turns the fused top k misses, and how many of those some signal's top k holds."""
    missed, in_some, by_signal = 0, 0, dict.fromkeys(SIGNALS, 0)
    for items in by_category.values():
        for item in items:
            for turn_id in item["evidence"]:
                if turn_id in item["final"][:k]:
                    continue
                missed += 1
                holders = [s for s in SIGNALS if turn_id in item["signals"][s][:k]]
                in_some += bool(holders)
                for s in holders:
                    by_signal[s] += 1
    return f"evidence missed at {k}: {missed}; in some signal's top {k}: {in_some} {by_signal}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--locomo")
    ap.add_argument("--chats")
    ap.add_argument("--store", required=True, help="the folder bench/tune_weights.py --store added them to")
    ap.add_argument("--k", type=int, nargs="+", default=[10, 5])
    args = ap.parse_args()
    items = (locomo_items(args.locomo) if args.locomo else []) + \
        (locomo_items(args.chats, family="chats") if args.chats else [])
    folder = Path(args.store)
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with Memory({"graph_store": {"provider": "kuzu", "config": {"db": f"{folder}/db"}}}) as memory:
        for name, _adds, questions in items:
            if not (folder / f"{name}.added").exists():
                sys.exit(f"{name} is not in {folder}: add it with bench/tune_weights.py --store {folder} first")
            families[name.split("-")[0]] += recorded_rankings(memory, name, questions)
    for family, recorded in families.items():
        report(family, recorded, args.k)


if __name__ == "__main__":
    main()
