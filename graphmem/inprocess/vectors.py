"""Exact nearest neighbours over a scope's embeddings, held in RAM: the vector search of embedded stores.

Why not the engine's own vector index (Kuzu's HNSW)? Measured here at 10k memories in a
scope of an 11k store: Kuzu's HNSW in a projected graph answered top-50 in ~14 ms and made
every add's COMMIT ~3x slower (index maintenance), while one matrix-vector product over the
scope's rows takes ~0.3 ms at 10k and ~7 ms at 100k, is exact, and cannot starve a small scope
in a big store. Rows are loaded from the store once per scope and process, then kept in step
with what this process writes (the store is locked to one writing process).

Past ANN_MIN_ROWS rows the scan is the one part of a search that grows with the scope (~9 ms at
100k), so large scopes also get an HNSW index (inprocess/ann.py) that proposes candidates; the
matrix re-scores them exactly, and rows the index has not caught up with yet are scanned exactly.
A store on disk saves that index beside it, and a process that loads the scope takes the saved one
when it fits the rows loaded (inprocess/ann_files.py) instead of building it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.ann import HnswIndex, hnswlib_module
from graphmem.inprocess.ann_files import MAX_DEAD, IndexFile, adoption
from graphmem.pacing import paced, slices
from graphmem.scope import Scope

logger = logging.getLogger(__name__)
Owner = tuple[str | None, str | None, str | None]  # user_id, agent_id, run_id of a row
# Below this many live rows the exact scan takes ~2 ms or less and an index would only cost adds.
ANN_MIN_ROWS = 20_000
MATRIX_STEP = 256  # rows converted from lists at a time (see as_matrix)
# A saved index is saved again once it holds this many times the rows it held: a 100k scope's file is ~180 MB
# (~0.4 s to write, holding the GIL), and a process that loads it indexes at most a tenth of its rows itself.
SAVE_GROWTH = 1.1
CLOSE_WAIT = 30.0  # seconds a closing store waits for a builder to end its chunk (~1-2 s), before saving its index


def unit_rows(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    """The rows scaled to length 1 (a zero row stays zero), for cosines as dot products."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32, copy=False)
    return unit


def dot_rows(matrix: NDArray[np.float32], query: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each row's dot product with the query, computed on the calling thread only.

    `matrix @ query` hands a product of a few hundred rows and up to BLAS, which splits it over every core
    with a barrier: while another process holds a core the threads wait on each other, and a 1,200 x 384
    product took 8 ms instead of 0.07 (2 cores beside a benchmark; the query embedder is kept to one thread
    for the same reason, providers/multilingual). einsum's own loop never leaves this thread."""
    scores: NDArray[np.float32] = np.einsum("ij,j->i", matrix, query)
    return scores


def as_matrix(vectors: Sequence[Sequence[float]]) -> NDArray[np.float32]:
    """The vectors as one float32 matrix, converted MATRIX_STEP rows at a time with pauses between (see
    graphmem.pacing): converting the 3,779 lists of 384 floats of one long message's facts at once
    held the GIL for ~90 ms, while another scope's get_all waited."""
    if len(vectors) <= MATRIX_STEP:
        return np.asarray(vectors, dtype=np.float32)
    return np.concatenate([np.asarray(step, dtype=np.float32) for step in paced(slices(vectors, MATRIX_STEP))])


@dataclass(frozen=True)
class VectorRow:
    """One stored embedding and who owns it."""

    id: str
    owner: Owner
    embedding: Sequence[float] | None  # None: an entity stored without one (added with infer=False)
    name: str | None = None  # entities: display name, and the normalised names that link a query to them
    names: Sequence[str] = ()
    record: Mapping[str, Any] | None = None  # memories: the whole row as the store returns it, but the embedding
    parts: Sequence[Sequence[float]] = ()  # memories: their sentences' embeddings (ingest/parts.py)
    context: Sequence[float] | None = None  # memories: their message's with the messages before it (ingest/context.py)

    @property
    def text(self) -> str:
        return str((self.record or {}).get("text") or "")

    @property
    def episode_ids(self) -> Sequence[str]:
        """The messages a memory came from."""
        return (self.record or {}).get("episode_ids") or ()

    @property
    def hash(self) -> str:
        """A memory's text hash (ingest/normalize.memory_hash); "" for an entity."""
        return str((self.record or {}).get("hash") or "")

    @property
    def valid_at(self) -> str:
        """When a memory's message was said (ISO-8601 UTC); "" when not known."""
        return str((self.record or {}).get("valid_at") or "")

    @property
    def entity_ids(self) -> Sequence[str]:
        """The entities a memory mentions."""
        return (self.record or {}).get("entity_ids") or ()


def owns(scope: Scope, owner: Owner) -> bool:
    """Whether a row with these ids is inside the scope (every id the scope names must match)."""
    return all(w is None or w == have for w, have in zip(scope.ids, owner, strict=True))


class ScopeVectors:
    """The unit-length embeddings of one scope's rows, in a growable matrix."""

    def __init__(self, dims: int, rows: Iterable[VectorRow] = (), ann_min_rows: int | None = None,
                 saved: IndexFile | None = None) -> None:
        """`saved`: where the scope's index is saved. The rows given (and extended) until `settle()` are then
        the scope as loaded: nothing is indexed before it, and it takes the saved index if it fits them."""
        self._ann_min_rows = ANN_MIN_ROWS if ann_min_rows is None else ann_min_rows
        self._ann: HnswIndex | None = None
        self._saved = saved
        self._settled = saved is None
        self._saved_rows = 0  # the rows the saved index held when this process last saved or loaded it
        self._changes = self._changes_saved = 0  # rows removed (deletes, updates), and as many as the file knew of
        self._dropped = False  # by the cache: never indexed or saved again
        self.adopted = 0  # the rows of the index that came from its saved file (0: all indexed here)
        self._matrix: NDArray[np.float32] = np.zeros((64, dims), dtype=np.float32)
        self._ids: list[str] = []
        self._names: list[str | None] = []
        self._position: dict[str, int] = {}
        self._alive: NDArray[np.bool_] = np.zeros(64, dtype=np.bool_)
        self.extend(rows)

    @property
    def held_vectors(self) -> int:
        """The rows held (LoadedScope's budget count)."""
        return len(self)

    def __len__(self) -> int:
        return len(self._position)

    @property
    def scanned_rows(self) -> int:
        """The rows `top` scores one by one: all of them without an approximate index, else the ones it has not
        indexed yet (its walk costs about what an exact scan of ANN_MIN_ROWS rows does: ~2 ms at 100k rows); all
        of them while a save or a resize holds the index (the walk would wait for it, then scan)."""
        ann = self._ann
        indexed = 0 if ann is None or ann.busy else ann.indexed
        return len(self._ids) - indexed if indexed else len(self._position)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._position

    def extend(self, rows: Iterable[VectorRow]) -> None:
        batch = [r for r in rows if r.id not in self._position]
        if batch:
            self.extend_columns([r.id for r in batch], [r.embedding for r in batch], [r.name for r in batch])

    def extend_columns(self, ids: Sequence[str], embeddings: Sequence[Sequence[float] | None],
                       names: Sequence[str | None]) -> None:
        """Rows not held yet, by column (a load's 100k context vectors were as many row objects made for this)."""
        if not ids:
            return
        dims = self._matrix.shape[1]
        matrix = as_matrix([e if e is not None else [0.0] * dims for e in embeddings])
        self._put(ids, matrix, [e is not None for e in embeddings], names)  # no vector: never a vector hit

    def extend_matrix(self, ids: Sequence[str], matrix: NDArray[np.float32]) -> None:
        """Rows not held yet, each with its vector (a row of `matrix`) and no name: a load's step
        (inprocess/loaded_rows.py), made into one matrix without a list a row."""
        if ids:
            self._put(ids, matrix, True, [None] * len(ids))

    def _put(self, ids: Sequence[str], matrix: NDArray[np.float32], alive: bool | Sequence[bool],
             names: Sequence[str | None]) -> None:
        start, end = len(self._ids), len(self._ids) + len(ids)
        if end > len(self._matrix):
            self._grow(end)
        self._matrix[start:end] = unit_rows(matrix)
        self._alive[start:end] = alive
        self._position.update(zip(ids, range(start, end), strict=True))
        self._ids += ids
        self._names += names
        self._index_new_rows()

    def reserve(self, rows: int) -> None:
        """Room for `rows` more, doubling as adding them step by step would: a 100k load copied the matrix 11 times."""
        capacity = len(self._matrix)
        while capacity < len(self._ids) + rows:
            capacity *= 2
        if capacity > len(self._matrix):
            self._grow(capacity)

    def settle(self) -> None:
        """The scope is loaded: take its saved index if it fits the rows, else index them as usual."""
        if self._settled:
            return
        self._settled = True
        if self._saved is not None and len(self._position) >= self._ann_min_rows and (hnswlib := hnswlib_module()):
            self._adopt(hnswlib, self._saved)
        self._index_new_rows()

    def _adopt(self, hnswlib: Any, file: IndexFile) -> None:
        used = len(self._ids)
        saved = file.load(hnswlib, self._matrix.shape[1], len(self._matrix))
        fit = None if saved is None else adoption(saved, self._ids, self._alive[:used], self._matrix[:used])
        if saved is None or fit is None:
            return
        index = HnswIndex(saved.index, len(saved.ids), saved.deleted)
        try:
            index.remove(fit.dead)
        except RuntimeError as exc:  # hnswlib: a label its json lists as live is deleted in it already
            logger.debug("a saved ANN index is not used, it is built again: %r", exc)
            return
        if not np.array_equal(fit.order, np.arange(len(fit.order))):  # (Kuzu returns rows in the order written)
            self._reorder(fit.order, saved.ids)
        index.caught_up = self._save_index
        self._ann = index
        self._saved_rows = self.adopted = len(saved.ids)
        self._changes += len(fit.dead)  # rows deleted or updated since the file, by a process that did not save

    def _reorder(self, order: NDArray[np.int64], saved_ids: Sequence[str]) -> None:
        """Move the rows to new positions: the row at position order[i] goes to i; where order[i] is -1 a dead
        place keeps the saved label's id. The new matrix is made beside the old one (twice the matrix's RAM until
        the old one goes, ~150 MB more at 100k x 384 floats), copied MATRIX_STEP rows at a time: one fancy index
        of the whole matrix would make a third, temporary copy."""
        capacity = max(len(order), len(self._matrix))
        matrix = np.zeros((capacity, self._matrix.shape[1]), dtype=np.float32)
        alive = np.zeros(capacity, dtype=np.bool_)
        for start in range(0, len(order), MATRIX_STEP):
            step = order[start:start + MATRIX_STEP]
            held = np.flatnonzero(step >= 0)
            matrix[start + held] = self._matrix[step[held]]
            alive[start + held] = self._alive[step[held]]
        places = order.tolist()
        ids = [self._ids[p] if p >= 0 else saved_ids[i] for i, p in enumerate(places)]
        self._names = [self._names[p] if p >= 0 else None for p in places]
        self._position = {ids[i]: i for i, p in enumerate(places) if p >= 0}
        self._matrix, self._alive, self._ids = matrix, alive, ids

    def _save_index(self, closing: bool = False) -> None:
        """Save the index if it grew by SAVE_GROWTH since last saved or loaded, or, `closing`, if rows were removed
        or changed since (on the builder's thread, caught up; or at close). Not when it would not be loaded:
        empty, or dead labels past MAX_DEAD (a process builds it again)."""
        ann, file = self._ann, self._saved
        if ann is None or file is None or ann.indexed == 0 or ann.dead > MAX_DEAD * ann.indexed:
            return
        changes = self._changes  # adds wait for SAVE_GROWTH (a save of 100k rows: ~0.4 s), removals for the close
        if ann.indexed < SAVE_GROWTH * self._saved_rows and not (closing and changes != self._changes_saved):
            return
        if file.save(ann, self._ids, self._matrix):
            self._saved_rows, self._changes_saved = ann.indexed, changes

    def close(self) -> None:
        """The store closes: the index stops building, and is saved as `_save_index` says (a build cut short
        too: its rows [0, indexed) are whole, and a process that loads it indexes only the rest)."""
        if self._ann is not None and self._ann.stop(CLOSE_WAIT):
            self._save_index(closing=True)

    def drop(self) -> None:
        """Dropped from the cache (forget, LRU): the scope's next load has an index of its own, so this one stops
        after its chunk (not waited for: the cache's lock is held), and is never saved (a build of 100k rows,
        ~80 s, would otherwise go on and save over the next load's file, even after the store closed)."""
        self._dropped = True
        if self._saved is not None:
            self._saved.retired = True
        if self._ann is not None:
            self._ann.stop(0)

    def _index_new_rows(self) -> None:
        """Start (past ann_min_rows) or feed the approximate index; it indexes in the background."""
        if not self._settled or self._dropped:
            return
        if self._ann is None and len(self._position) >= self._ann_min_rows and (hnswlib := hnswlib_module()):
            self._ann = HnswIndex.new(hnswlib, self._matrix.shape[1], len(self._matrix))
            if self._saved is not None:
                self._ann.caught_up = self._save_index
        if self._ann is not None:
            self._ann.catch_up(self._rows_between, lambda: len(self._ids), self._dead_between)

    def _rows_between(self, start: int, end: int) -> NDArray[np.float32]:
        rows: NDArray[np.float32] = self._matrix[start:end].copy()  # the matrix may be regrown meanwhile
        return rows

    def _dead_between(self, start: int, end: int) -> list[int]:
        return [start + int(i) for i in np.flatnonzero(~self._alive[start:end])]

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """Block until the approximate index has caught up; whether there is one (tests, benchmarks)."""
        if self._ann is not None:
            self._ann.wait(timeout)
        return self._ann is not None

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self._matrix))
        matrix = np.zeros((capacity, self._matrix.shape[1]), dtype=np.float32)
        matrix[: len(self._ids)] = self._matrix[: len(self._ids)]
        alive = np.zeros(capacity, dtype=np.bool_)
        alive[: len(self._ids)] = self._alive[: len(self._ids)]
        self._matrix, self._alive = matrix, alive

    def remove(self, ids: Iterable[str]) -> None:
        gone = [p for row_id in ids if (p := self._position.pop(row_id, None)) is not None]
        self._alive[gone] = False  # before the index hears of it: its builder reads this mask
        self._changes += len(gone)
        if self._ann is not None:
            self._ann.remove(gone)

    def top(self, vector: Sequence[float], k: int, approximate: bool = False) -> list[dict[str, Any]]:
        """The k most cosine-similar live rows, best first: through the approximate index when the scope
        has one (`approximate`: walked shorter), else by the exact scan."""
        if k <= 0 or not self._position:
            return []
        query = unit_rows(np.asarray([vector], dtype=np.float32))[0]
        ann = self._ann
        indexed = 0 if ann is None else ann.indexed  # read first: rows the builder indexes meanwhile are in the tail
        found = None if ann is None or indexed == 0 else ann.candidates(query, k, approximate)
        if found is None:  # no index yet, or one that could not answer
            return self._scan(query, k)
        proposed = np.concatenate([found, np.arange(indexed, len(self._ids))])
        # Dead: removed since the index last heard. Unique: rows the builder is adding are proposed by the index
        # before `indexed` counts them (hnswlib answers with them at once), so the unindexed tail has them too.
        proposed = np.unique(proposed[self._alive[proposed]])
        # In position order, equal scores keep the exact scan's order: the same results either way.
        return self._best(proposed, dot_rows(self._matrix[proposed], query), k)

    def similarities(self, ids: Iterable[str], vector: Sequence[float]) -> dict[str, float]:
        """The exact cosine of each live row among `ids` with the vector (rows not held are left out)."""
        found = [(row_id, p) for row_id in ids if (p := self._position.get(row_id)) is not None]
        if not found:
            return {}
        query = unit_rows(np.asarray([vector], dtype=np.float32))[0]
        scores = dot_rows(self._matrix[[p for _, p in found]], query)
        return {row_id: float(score) for (row_id, _), score in zip(found, scores, strict=True)}

    def all_scores(self, query: NDArray[np.float32]) -> NDArray[np.float32]:
        """The cosine of every position with a unit query, in position order; -inf where no live row is."""
        used = len(self._ids)
        scores = dot_rows(self._matrix[:used], query)
        scores[~self._alive[:used]] = -np.inf
        return scores

    def ids_from(self, start: int) -> list[str]:
        """The ids of the positions from `start` on (positions only grow; a removed row keeps its place)."""
        return self._ids[start:]

    def position(self, row_id: str) -> int | None:
        return self._position.get(row_id)

    def id_at(self, position: int) -> str:
        return self._ids[position]

    def exact_top(self, vector: Sequence[float], k: int) -> list[dict[str, Any]]:
        """`top` by the exact scan whatever the scope's size: the reference the index is measured against."""
        if k <= 0 or not self._position:
            return []
        return self._scan(unit_rows(np.asarray([vector], dtype=np.float32))[0], k)

    def _scan(self, query: NDArray[np.float32], k: int) -> list[dict[str, Any]]:
        used = len(self._ids)
        scores = dot_rows(self._matrix[:used], query)
        live = np.flatnonzero(self._alive[:used])
        return self._best(live, scores[live], k)

    def _best(self, positions: NDArray[np.int64], scores: NDArray[np.float32], k: int) -> list[dict[str, Any]]:
        """The k best of these rows (in position order) by their exact scores, best first; equal scores in
        position order, at the k-th place too: the index's candidates and the exact scan give the same rows
        (argpartition alone picked among equal scores, and ordered them, differently for different sets)."""
        k = min(k, len(positions))
        if k == 0:
            return []
        if k < len(positions):
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th best score
            above = np.flatnonzero(scores > kth)
            best = np.concatenate([above, np.flatnonzero(scores == kth)[: k - len(above)]])
        else:
            best = np.arange(len(positions))
        best = best[np.argsort(-scores[best], kind="stable")]
        return [self._row(int(positions[i]), float(scores[i])) for i in best]

    def _row(self, position: int, similarity: float) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self._ids[position], "similarity": similarity}
        if self._names[position] is not None:
            row["name"] = self._names[position]
        return row
