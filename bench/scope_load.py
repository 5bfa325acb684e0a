#!/usr/bin/env python3
"""A large scope's first search in a fresh process: the load as before, and with its vectors saved beside the store
(graphmem/inprocess/vector_files.py), in one run.

Runs, each in a process of its own, on an existing store (bench/scale.py's, filled with the hash embedder at 384
dims; use a copy: the runs write the saved vectors beside it and add rows): "plain" (the load as before: every
vector column from Kuzu), "first" (no saved vectors: the scope is counted, loaded with the hashes of its vectors,
then saved on a thread; the save's seconds, the file's size, and search ms during and after the save are
reported), "file" (twice: the saved vectors used), "change" (adds --more memories, loading the scope from the
file first), "file+new" (the rows added since read by id). The approximate index is off in every run
(`hnswlib_module` -> None): its build (~80 s of a core at 100k rows) would compete with the load and the save;
loading a saved index costs the same either way.

    python bench/scope_load.py --db /tmp/vcache/scaledb100 --user scale-100000

Each run reports the first search's seconds, the load's statements' and `put_s` (the loaded scope's own build,
`ScopeCache.make`: its matrices, keyword index and lookup lists). Every "first" run starts without the saved
copy. `--code` runs the same phases with other checkouts' graphmem too (the probe is this script's), alternating,
`--repeat` times, and prints the medians: a before/after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
QUERIES = ("who went hiking in Lisbon", "a birthday dinner with my sister", "the dog's vet appointment",
           "learning to play the piano", "a trip to the mountains in March")
LOADS = ("vectors_in_scope", "count_in_scope", "vectors_hashed_in_scope", "hashed_in_scope", "vectors_by_id",
         "vectors_of_ids")


def config(db: str) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": db}},
            "embedder": {"provider": "hash", "config": {"embedding_dims": 384}}}


def probe(db: str, user: str, phase: str, more: int) -> dict[str, Any]:
    from graphmem import Memory
    from graphmem.backends import kuzu_vectors
    from graphmem.backends.kuzu import KuzuBackend
    from graphmem.inprocess import cache, vectors

    vectors.hnswlib_module = lambda: None  # type: ignore[assignment]  # no approximate index (see the docstring)
    if phase == "plain":
        kuzu_vectors.SAVED_TABLES = ()  # type: ignore[assignment]  # the load as before
    ran: list[tuple[str, float]] = []
    fetch = KuzuBackend._fetch

    def timed(self: KuzuBackend, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        t0 = time.perf_counter()
        try:
            return fetch(self, name, params)
        finally:
            if name.startswith("memory/") and name.split("/")[1] in LOADS:
                ran.append((name.split("/")[1], round(time.perf_counter() - t0, 2)))

    KuzuBackend._fetch = timed  # type: ignore[method-assign]
    # A load makes its loaded scope (`make`) and then holds it (`adopt`); `put` does both for other callers.
    make, puts = cache.ScopeCache.make, []

    def timed_make(self: Any, table: str, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return make(self, table, *args, **kwargs)
        finally:
            if table == "memory":
                puts.append(round(time.perf_counter() - t0, 2))

    cache.ScopeCache.make = timed_make  # type: ignore[method-assign]
    out: dict[str, Any] = {}
    with Memory(config(db)) as memory:
        t0 = time.perf_counter()
        memory.search("who went hiking in Lisbon", user_id=user)
        out["first_search_s"] = round(time.perf_counter() - t0, 2)
        out["statements_s"], out["put_s"] = ran[:], sum(puts)
        files = memory._async.backend._scopes.vector_files  # a benchmark-only reach
        assert files is not None
        t1 = time.perf_counter()
        during = searches(memory, user, lambda: any(s.is_alive() for s in files._savers))  # a save under way
        files.wait()
        out["save_wait_s"] = round(time.perf_counter() - t1, 2)
        if during:
            after: list[float] = []
            searches(memory, user, lambda: len(after) < len(during), after)
            out["search_ms_p50_during_save"], out["search_ms_p50_after"] = median(during), median(after)
        if phase == "change":
            sys.path.insert(0, str(HERE))
            from scale import Generator

            texts = Generator(time.time_ns()).texts(more)  # new texts each run (the same would be de-duplicated)
            t2 = time.perf_counter()
            memory.add([{"role": "user", "content": t} for t in texts], user_id=user, infer=False)
            out["added"], out["add_s"] = more, round(time.perf_counter() - t2, 2)
    folder = Path(db + ".ann")
    out["files_mb"] = round(sum(p.stat().st_size for p in folder.glob("*.vectors*")) / 1e6, 1) if folder.exists() else 0
    return out


def searches(memory: Any, user: str, going: Any, into: list[float] | None = None) -> list[float]:
    """Search ms, one search after another while `going()`."""
    found = [] if into is None else into
    while going():
        t0 = time.perf_counter()
        memory.search(QUERIES[len(found) % len(QUERIES)], user_id=user)
        found.append((time.perf_counter() - t0) * 1000)
    return found


def median(values: list[float]) -> float:
    return round(sorted(values)[len(values) // 2], 1)


def run(phase: str, args: argparse.Namespace, code: str) -> Any:
    command = [sys.executable, __file__, "--phase", phase, "--db", args.db, "--user", args.user,
               "--more", str(args.more)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": code})
    return json.loads(done.stdout.splitlines()[-1])


def forget_copies(db: str) -> None:
    """The saved vectors beside the store removed: the next load reads every vector column from Kuzu."""
    for path in Path(db + ".ann").glob("*.vectors*"):
        path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a copy of a store filled by bench/scale.py")
    ap.add_argument("--user", default="scale-100000")
    ap.add_argument("--more", type=int, default=1000, help="memories added before the file+new run")
    ap.add_argument("--only", help="comma-separated runs (plain, first, file, ...); default: all")
    ap.add_argument("--code", default=str(HERE.parent), help="comma-separated checkouts whose graphmem the runs use")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every run with every checkout")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(probe(args.db, args.user, args.phase, args.more)))
        return
    results: dict[tuple[str, str], list[Any]] = defaultdict(list)
    runs = (("plain", "plain"), ("first", "first"), ("file", "file"), ("file again", "file"), ("change", "change"),
            ("file+new", "file"))
    codes = args.code.split(",")
    for _ in range(args.repeat):
        for code in codes:
            for name, phase in [r for r in runs if not args.only or r[0] in args.only.split(",")]:
                if phase == "first":  # every "first" loads without a copy and saves the one the "file" runs read
                    forget_copies(args.db)
                results[code, name].append(run(phase, args, code))
                print(f"{name:10} {results[code, name][-1]}" + (f"  ({code})" if len(codes) > 1 else ""), flush=True)
    if len(codes) > 1 or args.repeat > 1:
        for (code, name), found in results.items():
            medians = {key: round(statistics.median(r[key] for r in found), 2) for key in ("first_search_s", "put_s")}
            print(f"median of {len(found)}: {name:10} {medians}  ({code})")


if __name__ == "__main__":
    main()
