#!/usr/bin/env python3
"""Add throughput on LOCOMO turns: graphmem's batch add vs its embedder's own floor vs mem0.

On the same texts (the first --limit turns of the LOCOMO files, in order), infer=False throughout:

  embedder batched      graphmem's embedder alone (the config's: multilingual-e5-small by default), the texts
                        --batch at a time: a batch add's floor
  embedder one-by-one   the same embedder, one text per call: the floor of one-text-per-call adds
  graphmem list         Memory.add([{"role": "user", "content": t}, ...]) with --batch messages per call,
                        one transaction and one batched embedding per call (--batch 0: all in one call)
  graphmem per call     Memory.add(text, metadata=...) once per text (how LOCOMO ingestion adds)
  mem0 list             mem0 Memory.add([...messages...], infer=False): one call, but mem0 still embeds
                        and inserts each message on its own
  mem0 per call         mem0 Memory.add(text, metadata=..., infer=False) once per text

mem0 has no batched add for infer=False; the faster of its two paths is reported as its best.

    python bench/add_throughput.py --data ../shared/data/locomo-dev --limit 2000 --json add.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    Turn,
    embed_in_batches,
    graphmem_memory,
    load_locomo,
    print_table,
    ratio,
    set_threads,
    try_mem0,
    workdir,
    write_json,
)


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def batches(turns: list[Turn], size: int) -> list[list[Turn]]:
    size = size or len(turns)
    return [turns[i:i + size] for i in range(0, len(turns), size)]


def messages(turns: list[Turn]) -> list[dict[str, str]]:
    return [{"role": "user", "content": t.text} for t in turns]


def measure_embedder(turns: list[Turn], batch: int, config: dict[str, Any] | None) -> dict[str, float]:
    """graphmem's own embedder alone, as its adds call it (until session 19: sentence-transformers' MiniLM, the
    default before session 8, whatever graphmem embedded with)."""
    tmp = workdir("bench-add-embedder-")
    memory = graphmem_memory(config, tmp)
    try:
        texts = [t.text for t in turns]
        embed_in_batches(memory, texts[:16], batch)  # warm-up: load the model
        return {"embedder batched": embed_in_batches(memory, texts, batch),
                "embedder one-by-one": embed_in_batches(memory, texts, 1)}
    finally:
        memory.close()
        shutil.rmtree(tmp, ignore_errors=True)


def measure_graphmem(turns: list[Turn], batch: int, config: dict[str, Any] | None) -> dict[str, float]:
    tmp = workdir("bench-add-graphmem-")
    memory = graphmem_memory(config, tmp)
    try:
        memory.add("warm-up: load the embedder and the extractor", user_id="warm-up", infer=False)

        def as_lists() -> None:
            for chunk in batches(turns, batch):
                memory.add(messages(chunk), user_id="list", infer=False)

        def per_call() -> None:
            for t in turns:
                memory.add(t.text, user_id="per-call", metadata=t.metadata(), infer=False)

        return {"graphmem list": timed(as_lists), "graphmem per call": timed(per_call)}
    finally:
        memory.close()
        shutil.rmtree(tmp, ignore_errors=True)


def measure_mem0(turns: list[Turn]) -> dict[str, float] | str:
    tmp = workdir("bench-add-mem0-")
    memory, why = try_mem0(tmp)
    if memory is None:
        return why or "mem0 unavailable"
    try:
        memory.add("warm-up: load the embedder", user_id="warm-up", infer=False)

        def as_list() -> None:
            memory.add(messages(turns), user_id="list", infer=False)

        def per_call() -> None:
            for t in turns:
                memory.add(t.text, user_id="per-call", metadata=t.metadata(), infer=False)

        return {"mem0 list": timed(as_list), "mem0 per call": timed(per_call)}
    finally:
        memory.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory of LOCOMO conversation JSON files")
    ap.add_argument("--limit", type=int, default=2000, help="turns to add")
    ap.add_argument("--batch", type=int, default=64, help="messages per graphmem add call and encode batch; 0 = all")
    ap.add_argument("--systems", default="graphmem,mem0", help="comma-separated: graphmem, mem0 (the embedder "
                                                                "floor always runs)")
    ap.add_argument("--config", help="JSON file with a graphmem config")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice; mem0's embedder)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    set_threads(args.threads)

    config = json.loads(Path(args.config).read_text()) if args.config else None
    systems = {s.strip() for s in args.systems.split(",") if s.strip()}
    turns = [t for conv in load_locomo(args.data) for t in conv.turns][: args.limit]
    print(f"add throughput: {len(turns)} LOCOMO turns, batch {args.batch or len(turns)}")

    seconds: dict[str, float] = measure_embedder(turns, args.batch or 64, config)
    skipped: dict[str, str] = {}
    if "graphmem" in systems:
        seconds |= measure_graphmem(turns, args.batch, config)
    if "mem0" in systems:
        got = measure_mem0(turns)
        if isinstance(got, str):
            skipped["mem0"] = got
            print(f"skipping mem0: {got}")
        else:
            seconds |= got
    rates = {name: round(len(turns) / s, 1) for name, s in seconds.items()}
    mem0_best = max((n for n in rates if n.startswith("mem0")), key=lambda n: rates[n], default=None)

    print_table(["path", "seconds", "texts/s"], [[n, round(s, 2), rates[n]] for n, s in seconds.items()], 1)
    pairs = [("graphmem list", "embedder batched"), ("graphmem per call", "embedder one-by-one"),
             ("graphmem list", "graphmem per call")]
    if mem0_best:
        pairs += [("graphmem list", mem0_best), ("graphmem per call", "mem0 per call"),
                  (mem0_best, "embedder one-by-one")]
    ratios = {f"{a} / {b}": ratio(rates[a], rates[b]) for a, b in pairs if a in rates and b in rates}
    print(f"\nratios of texts/s{f' (mem0 best path: {mem0_best})' if mem0_best else ''}")
    print_table(["ratio", "value"], list(ratios.items()))
    for name, why in skipped.items():
        print(f"{name}: skipped ({why})")
    summary = {"benchmark": "add-throughput", "data": args.data, "turns": len(turns), "batch": args.batch,
               "seconds": {n: round(s, 3) for n, s in seconds.items()}, "texts_per_s": rates,
               "mem0_best_path": mem0_best, "ratios": ratios, "skipped": skipped}
    write_json(args.json, summary)
    return summary


if __name__ == "__main__":
    main()
