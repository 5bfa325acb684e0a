#!/usr/bin/env python3
"""Add stalls: one scope filled on Kuzu in adds of 64 messages, every add call timed, the slowest reported.

Kuzu checkpoints inside the COMMIT of the add that passes its log threshold, so a slow checkpoint stalls that
add alone: add p95 hides it and the fill's total shows it. This reports the slowest adds, the time per 200
adds as the store grows, the first search of the filled scope, and the close (Kuzu's last checkpoint). A small
scope is added to first, so that its counter row sits before the fill's episodes, as in a store of many users.
Texts are bench/scale.py's; the embedder is the hash one (no model: the store is what is measured).

    python bench/add_stalls.py                     # 102,400 memories
    python bench/add_stalls.py --memories 20000 --json stalls.json
"""

from __future__ import annotations

import argparse
import shutil
import time
from typing import Any

from common import pct, workdir, write_json
from scale import Generator

from graphmem import Memory

BATCH = 64
WINDOW = 200  # add calls per progress line


def fill(memory: Any, texts: list[str]) -> list[float]:
    calls: list[float] = []
    for start in range(0, len(texts), BATCH):
        t0 = time.perf_counter()
        memory.add([{"role": "user", "content": t} for t in texts[start:start + BATCH]], user_id="big", infer=False)
        calls.append(time.perf_counter() - t0)
        if len(calls) % WINDOW == 0:
            window = calls[-WINDOW:]
            print(f"{len(calls) * BATCH:>7} memories: last {WINDOW} adds {sum(window):.1f} s, "
                  f"slowest {max(window):.1f} s", flush=True)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--memories", type=int, default=102400)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    folder = workdir("bench-stalls-")
    try:
        memory = Memory({"graph_store": {"provider": "kuzu", "config": {"db": folder + "/db"}},
                         "embedder": {"provider": "hash", "config": {"embedding_dims": 384}}})
        memory.add("I moved to Lisbon last spring.", user_id="small", infer=False)
        t0 = time.perf_counter()
        calls = fill(memory, Generator(7).texts(args.memories))
        fill_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        memory.search("Maya hiking", user_id="big", limit=10)
        search_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        memory.close()
        close_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    slowest = sorted(range(len(calls)), key=lambda i: -calls[i])[:8]
    result = {"memories": args.memories, "fill_s": round(fill_s, 1), "add_p50_ms": round(pct(calls, 50) * 1000, 1),
              "add_p95_ms": round(pct(calls, 95) * 1000, 1), "adds_over_5s": sum(c > 5 for c in calls),
              "slowest_adds": [{"after_memories": i * BATCH, "s": round(calls[i], 1)} for i in slowest],
              "first_search_s": round(search_s, 1), "close_s": round(close_s, 1)}
    print(result)
    write_json(args.json, result)


if __name__ == "__main__":
    main()
