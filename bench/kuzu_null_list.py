#!/usr/bin/env python3
"""Kuzu 0.11.3, standalone (no graphmem): one null among the lists of a `STRING[]` column makes checkpoints slow.

A table `E(id, ids STRING[])` grows by 64 rows per transaction, with a CHECKPOINT after each, to `--rows` rows.
One special row goes in after `--at` rows: a null list, an empty list, or none. Kuzu stores a null list at
offset 0, so the column's offsets are out of order after it; each checkpoint that rewrites the column (its
list data outgrew its pages) then reads the lists one by one. graphmem met it as a ~50 s checkpoint of
`Episode.memory_ids` in a store of ~105k episodes (two null counter rows); see cypher/README.md, "Kuzu keeps
no null in a list column".

    python bench/kuzu_null_list.py                 # null, empty, none at 5,120 of 30,000 rows
    python bench/kuzu_null_list.py --rows 60000

Prints, per kind, the fill's seconds and the checkpoints (with their write) over 0.3 s.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import uuid

import kuzu

APPEND = "UNWIND range(1, size($ids)) AS i CREATE (:E {id: $ids[i], ids: $lists[i]})"
SPECIAL = {"null": "CREATE (:E {id: 'special'})", "empty": "CREATE (:E {id: 'special', ids: CAST([] AS STRING[])})"}


def fill(kind: str, at: int, rows: int) -> tuple[float, list[tuple[int, float]]]:
    folder = tempfile.mkdtemp()
    try:
        conn = kuzu.Connection(kuzu.Database(folder + "/db"))
        conn.execute("CREATE NODE TABLE E(id STRING PRIMARY KEY, ids STRING[])")
        slow: list[tuple[int, float]] = []
        start = time.perf_counter()
        for n in range(0, rows, 64):
            if n == at and kind in SPECIAL:
                conn.execute(SPECIAL[kind])
            ids = [str(uuid.uuid4()) for _ in range(64)]
            t0 = time.perf_counter()
            conn.execute(APPEND, {"ids": ids, "lists": [[str(uuid.uuid4())] for _ in ids]})
            conn.execute("CHECKPOINT")
            if (seconds := time.perf_counter() - t0) > 0.3:
                slow.append((n + 64, round(seconds, 2)))
        return time.perf_counter() - start, slow
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--at", type=int, default=5120, help="rows before the special one (a multiple of 64)")
    args = parser.parse_args()
    for kind in ("null", "empty", "none"):
        seconds, slow = fill(kind, args.at, args.rows)
        print(f"{kind:>5}: fill {seconds:.1f} s, {len(slow)} checkpoints over 0.3 s: {slow}", flush=True)


if __name__ == "__main__":
    main()
