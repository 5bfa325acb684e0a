#!/usr/bin/env python3
"""A large scope loaded by a new process: with the approximate index saved beside the store, and without.

Fills one scope of N hash-embedded memories (bench/scale.py's texts; `--db` keeps the store for another run),
then times, each in a fresh process: the scope's first search (the load from Kuzu, and the saved index's check
when there is one), how many rows the index holds right after, the seconds until it holds them all, and search
ms meanwhile. Runs: "build" (no saved index: built, then saved at catch-up), "saved" (loads it), "saved+new"
(after adding --more memories and deleting --gone, in another process), "ignored" (the .ann folder moved away).

    python bench/ann_reload.py --size 100000 --db /tmp/reload/kuzu
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
USER = "reload"


def config(db: str) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": db}},
            "embedder": {"provider": "hash", "config": {"embedding_dims": 384}}}


def fill(db: str, texts: list[str], batch: int = 256) -> None:
    from graphmem import Memory

    with Memory(config(db)) as memory:
        for i in range(0, len(texts), batch):
            memory.add([{"role": "user", "content": t} for t in texts[i:i + batch]], user_id=USER, infer=False)
            if i % (batch * 40) == 0:
                print(f"  {i + batch}/{len(texts)} added", file=sys.stderr)


def change(db: str, texts: list[str], gone: int) -> None:
    """Add `texts` and delete `gone` memories, in a process of its own."""
    from graphmem import Memory

    with Memory(config(db)) as memory:
        memory.add([{"role": "user", "content": t} for t in texts], user_id=USER, infer=False)
        for row in memory.get_all(user_id=USER, limit=gone)["results"]:
            memory.delete(row["id"])


def probe(db: str, queries: list[str]) -> dict[str, Any]:
    """In this (fresh) process: the first search, the index right after, search ms until it has caught up."""
    from graphmem import Memory
    from graphmem.scope import Scope

    with Memory(config(db)) as memory:
        t0 = time.perf_counter()
        memory.search(queries[0], user_id=USER)
        load_s = time.perf_counter() - t0
        cache = memory._async.backend._scopes  # a benchmark-only reach: the index has no public surface
        with cache.lock:
            vectors = cache.get("memory", Scope(user_id=USER))._vectors
        ann = vectors._ann
        start = {"rows": len(vectors), "adopted": vectors.adopted, "indexed": ann.indexed if ann else 0}
        ms = []
        for q in queries[1:]:
            t1 = time.perf_counter()
            memory.search(q, user_id=USER)
            ms.append((time.perf_counter() - t1) * 1000)
        t2 = time.perf_counter()
        vectors.wait_for_index()
        catch_up_s = time.perf_counter() - t2
    ms.sort()
    return {"first_search_s": round(load_s, 2), **start, "search_ms_p50_meanwhile": round(ms[len(ms) // 2], 1),
            "catch_up_s_after": round(catch_up_s, 1), "close_s": round(time.perf_counter() - t2 - catch_up_s, 2)}


def run(phase: str, db: str, args: argparse.Namespace) -> Any:
    command = [sys.executable, __file__, "--phase", phase, "--db", db, "--size", str(args.size),
               "--more", str(args.more), "--gone", str(args.gone)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--more", type=int, default=2_000, help="memories added before the saved+new run")
    ap.add_argument("--gone", type=int, default=500, help="memories deleted before the saved+new run")
    ap.add_argument("--db", default="/tmp/bench-ann-reload/kuzu")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from scale import Generator

    gen = Generator(7)
    texts, more, queries = gen.texts(args.size), gen.texts(args.more), gen.queries(40)
    if args.phase == "fill":
        fill(args.db, texts)
    elif args.phase == "change":
        change(args.db, more, args.gone)
    elif args.phase == "probe":
        print(json.dumps(probe(args.db, queries)))
    else:
        saved = Path(args.db + ".ann")
        if not Path(args.db).exists():
            run("fill", args.db, args)
        shutil.rmtree(saved, ignore_errors=True)
        results = {"build": run("probe", args.db, args), "saved": run("probe", args.db, args)}
        run("change", args.db, args)
        results["saved+new"] = run("probe", args.db, args)
        shutil.move(saved, str(saved) + ".away")
        results["ignored"] = run("probe", args.db, args)
        shutil.rmtree(str(saved) + ".away")
        for name, row in results.items():
            print(f"{name:10} {row}")


if __name__ == "__main__":
    main()
