#!/usr/bin/env python3
"""Kuzu alone: a FLOAT[] list appended after a reopen reads back as zeros once checkpointed, when the column's
lists are mostly zeros (sparse vectors); dense ones are kept.

What is lost is the values Kuzu's float compression (ALP) cannot encode, appended into a chunk it compressed:
lists of 2-decimal floats lose only those few values, lists of plain float32s are not compressed, and with
compression off nothing is lost. graphmem opens its stores with compression off (KuzuConfig.compression).

No graphmem. A node table with a `FLOAT[]` column gets `--rows` lists in one statement, is closed (checkpointed),
reopened, and gets one more list; closed and reopened again, that list is read back. graphmem stores a memory's
sentence and context vectors in such columns (`Memory.parts`, `Memory.context_embedding`): with the `hash` embedder
(sparse vectors: feature hashing) they read back as zeros after this sequence; multilingual-e5-small's (dense) come
back bit for bit (bench/RESULTS.md, session 28). `FLOAT[dims]` arrays (`Memory.embedding`) are not affected, and
neither is a store that Kuzu opened with `compression=False` from its start.

    python bench/kuzu_sparse_lists.py            # every kind of values, 200 and 2,000 rows first
    python bench/kuzu_sparse_lists.py --kinds sparse --rows 200
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import kuzu
import numpy as np

KINDS = ("sparse", "rounded", "dense", "quantized")
DIMS = 256


def vector(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "sparse":  # 12 of 256 floats set: what a feature-hashing embedder makes
        values = np.zeros(DIMS, np.float32)
        values[rng.choice(DIMS, 12, replace=False)] = rng.standard_normal(12)
        return values
    if kind == "rounded":  # 2 decimals: most encode, a few do not
        return np.round(rng.standard_normal(DIMS), 2).astype(np.float32)
    if kind == "quantized":  # k / 127: int8 embeddings scaled back
        return (rng.integers(-127, 128, DIMS) / 127).astype(np.float32)
    return rng.standard_normal(DIMS).astype(np.float32)


def as_text(values: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.9g}" for x in values) + "]"  # round-trips a float32, as graphmem binds vectors


def values_lost(folder: Path, kind: str, rows: int, compression: bool) -> int:
    path = str(folder / f"{kind}-{rows}-{compression}")
    rng = np.random.default_rng(0)
    db = kuzu.Database(path, compression=compression)
    conn = kuzu.Connection(db)
    conn.execute("CREATE NODE TABLE T(id STRING, v FLOAT[], PRIMARY KEY(id))")
    conn.execute("UNWIND $rows AS r CREATE (:T {id: r.id, v: CAST(r.v AS FLOAT[])})",
                 {"rows": [{"id": f"r{i}", "v": as_text(vector(kind, rng))} for i in range(rows)]})
    conn.close()
    db.close()
    appended = vector(kind, rng)
    db = kuzu.Database(path, compression=compression)
    conn = kuzu.Connection(db)
    conn.execute("CREATE (:T {id: 'appended', v: CAST($v AS FLOAT[])})", {"v": as_text(appended)})
    conn.close()
    db.close()
    db = kuzu.Database(path, compression=compression)
    found = kuzu.Connection(db).execute("MATCH (t:T {id: 'appended'}) RETURN t.v")
    assert isinstance(found, kuzu.QueryResult)
    read = np.asarray(found.get_all()[0][0], dtype=np.float32)
    db.close()
    return int((read != appended).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--rows", default="200,2000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.kinds.split(","):
            for rows in (int(r) for r in args.rows.split(",")):
                for compression in (True, False):
                    lost = values_lost(Path(folder), kind, rows, compression)
                    print(f"{kind:9} values, {rows:>5} rows first, compression {'on ' if compression else 'off'}: "
                          f"the list appended after a reopen reads back "
                          f"{'intact' if not lost else f'WRONG ({lost} of {DIMS} values)'}")


if __name__ == "__main__":
    main()
