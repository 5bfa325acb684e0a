"""A Kuzu scope's rows as the loaded scopes take them, with the vectors of a large scope from the copy saved
beside the store when it fits (graphmem/inprocess/vector_files.py), else from the store as before.

Which statements: a scope with a saved copy reads its rows without their vectors and with Kuzu's hash of each
vector column (hashed_in_scope, ~1.9 s at 100k rows where vectors_in_scope took 12-18 s); rows whose hashes are
the saved ones take the saved vectors, the others are read by id. A scope without one is counted first (~0.06 s
at 100k rows): a small one loads as it always did, a large one with the hashes of its vectors
(vectors_hashed_in_scope), which are saved after the load. The rows come out in the store's order either way, with
bit-identical float32 vectors, so every matrix, index and search result is the one of the plain load.

A copy whose json names the scope is read and checked on a thread while hashed_in_scope runs (its sha256 lets go of
the GIL; a torn copy costs that statement, then the scope loads as without one). Memories go to the loaded scope by
column (inprocess/loaded_rows.py): each row made once, without its vectors, which are gathered from the copy's
floats (or the store's vectors) a step of rows at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from graphmem.backends.base import Row, VectorTable
from graphmem.backends.kuzu_writes import held_memory
from graphmem.inprocess import vectors
from graphmem.inprocess.loaded_rows import LoadedRows, from_saved, from_store
from graphmem.inprocess.vector_files import COLUMNS, HASHES, Entry, Reading, VectorFiles, Vectors, hashes_of
from graphmem.inprocess.vectors import VectorRow
from graphmem.pacing import paced
from graphmem.scope import Scope

logger = logging.getLogger(__name__)
Fetch = Callable[[str, dict[str, Any]], list[Row]]
MakeRow = Callable[[dict[str, Any]], VectorRow]
Loaded = LoadedRows | list[VectorRow]  # a scope's rows as ScopeCache.make takes them
SAVED_TABLES = ("memory",)  # entities: a scope's are a fraction of its memories, and their load is not the slow one
RESAVE = 0.1  # the copy is saved again once the rows read from the store, and those it holds in vain, pass this share
STALE = 0.5  # past this share of rows not in the copy, the scope loads whole from the store (and saves a new one)
# Up to this many rows (and a 50th of the scope's) are read one primary-key lookup each (~0.45 ms a row at 100k
# rows), more in one join with a scan of the table (vectors_of_ids: ~0.85 s at 100k rows, then ~0.07 ms a row).
BY_ID_MIN, BY_ID_SHARE = 200, 50


def _nothing() -> None:
    return None


def scope_rows(fetch: Fetch, table: VectorTable, scope: Scope, files: VectorFiles | None, dims: int,
               make_row: MakeRow) -> tuple[Loaded, Callable[[], None]]:
    """The scope's rows for the loaded scopes, and what to run once they are put there (a save, on a thread)."""
    params = scope.params()
    if files is None or table not in SAVED_TABLES:
        return _loaded(fetch(f"{table}/vectors_in_scope", params), table, dims, make_row), _nothing
    file = files.of(table, scope.ids)
    reading = file.read(dims)
    if reading is not None:
        try:
            return _from_saved(fetch, table, params, reading, dims, make_row, partial(files.save_later, file))
        except Exception as exc:  # whatever does not fit, the scope loads from the store as before
            logger.debug("the saved vectors of a scope are not used, it loads from the store: %r", exc)
    if fetch(f"{table}/count_in_scope", params)[0]["rows"] < vectors.ANN_MIN_ROWS:
        return _loaded(fetch(f"{table}/vectors_in_scope", params), table, dims, make_row), _nothing
    rows = _float32(fetch(f"{table}/vectors_hashed_in_scope", params))
    entries: list[Entry] = [(r["id"], hashes_of(r), _columns(r)) for r in rows]
    return _loaded(rows, table, dims, make_row), partial(files.save_later, file, entries)


def _loaded(rows: list[Row], table: VectorTable, dims: int, make_row: MakeRow) -> Loaded:
    """Memories by column (inprocess/loaded_rows.py) when their vectors fit, else (entities) rows made one by one."""
    if table == "memory":
        found = from_store([held_memory(r) for r in rows], [_columns(r) for r in rows], dims)
        if found is not None:
            return found
    return [make_row(r) for r in rows]


def _from_saved(fetch: Fetch, table: str, params: dict[str, Any], reading: Reading, dims: int, make_row: MakeRow,
                save: Callable[[Sequence[Entry]], None]) -> tuple[Loaded, Callable[[], None]]:
    try:
        rows = fetch(f"{table}/hashed_in_scope", params)  # while the copy is read and checked
    except BaseException:
        reading.result()  # the reader ends before the load falls back: it holds the copy's size in RAM
        raise
    saved = reading.result()
    if saved is None:
        raise ValueError("the copy cannot be used")
    ids = [r["id"] for r in rows]
    hashes = [_taken_hashes(r) for r in rows]  # out of the rows: each is then its memory's record (held_memory)
    places = saved.places(ids, hashes)
    missing = np.flatnonzero(places < 0).tolist()
    if len(missing) > STALE * len(rows):
        raise ValueError(f"{len(missing)} of the scope's {len(rows)} rows are not in it")
    fetched = {r["id"]: r for r in _float32(_by_ids(fetch, table, [ids[i] for i in missing], len(rows)))}
    own: list[Vectors | None] = [None] * len(rows)
    for i in missing:
        got = fetched.get(ids[i])
        if got is None or hashes_of(got) != hashes[i]:  # a commit landed between the two reads
            raise ValueError("a row read by id is not the row loaded")
        own[i] = _columns(got)
    def vectors_of(k: int, place: int) -> Vectors:  # row k's vectors: the copy's, or those read by id
        return saved.vectors(place) if place >= 0 else own[k] or (None, None, None)

    try:
        loaded: Loaded = from_saved([held_memory(r) for r in rows], places, own, saved, dims)
    except ValueError:  # a memory without an embedding of the scope's size (an old store): one by one, as before
        loaded = [make_row({**row, **dict(zip(COLUMNS, vectors_of(k, p), strict=True))})
                  for k, (row, p) in enumerate(zip(rows, places.tolist(), strict=True))]
    in_vain = len(saved.at) - (len(rows) - len(missing))  # saved rows deleted or changed since
    if len(missing) + in_vain <= RESAVE * len(saved.at):
        return loaded, _nothing

    def resave() -> None:  # the entries made only now: most loads save nothing
        save([(i, h, vectors_of(k, p)) for k, (i, h, p) in enumerate(zip(ids, hashes, places.tolist(), strict=True))])

    return loaded, resave


def _by_ids(fetch: Fetch, table: str, ids: list[str], scope_rows: int) -> list[Row]:
    if not ids:
        return []
    one_by_one = len(ids) <= max(BY_ID_MIN, scope_rows // BY_ID_SHARE)
    return fetch(f"{table}/vectors_by_id" if one_by_one else f"{table}/vectors_of_ids", {"ids": ids})


def _float32(rows: list[Row]) -> list[Row]:
    """The rows with their vectors as float32 arrays (bit for bit Kuzu's FLOAT values), converted here and not in
    the loaded scope's matrices: a save then only writes them, beside searches (from lists it held the GIL for ~5 s
    at 100k rows: searches ran at twice their time meanwhile). Python's lists of floats go early, too (8x the RAM)."""
    for row in paced(rows):
        for column in COLUMNS:
            if row[column]:
                row[column] = np.asarray(row[column], dtype=np.float32)
    return rows


def _taken_hashes(row: Row) -> tuple[int, int, int]:
    """The three hashes a statement returned for a row, taken out of it."""
    return row.pop(HASHES[0]), row.pop(HASHES[1]), row.pop(HASHES[2])


def _columns(row: Row) -> Vectors:
    return row[COLUMNS[0]], row[COLUMNS[1]], row[COLUMNS[2]]
