"""An approximate nearest-neighbour index (HNSW, hnswlib) over a large scope's unit vectors.

Why: the exact scan of a scope is one matrix-vector product, memory-bound: ~9-12 ms at 100k x 384
floats on this machine, the one part of a search that grows with the scope. HNSW answers the same
top-k in ~2 ms at the ef it runs. It only proposes candidates: ScopeVectors re-scores them exactly against its
matrix, so a score never comes from the index.

Labels are the rows' positions in ScopeVectors' matrix, which never move once indexed and are never
reused (a removed row stays dead), so the index needs no id map; a scope loaded from a store is put in
the order of its saved index before that (ann_files.py). Building is slow (~0.5-1 ms a row on one
core), so it runs in a short-lived daemon thread that catches up on the matrix in chunks and exits;
until it has caught up, the rows it has not indexed yet are scanned exactly (ScopeVectors.top). Each
time it has caught up it may save the index (ScopeVectors._save_index), on its own thread.
At interpreter exit the builders stop after their current chunk and are joined: a builder still inside
hnswlib's add_items when the process tore down aborted it ("terminate called without an active exception").
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)
# Build quality: M links per node, ef_construction the candidate list while inserting. Measured on 30k
# hash-embedded scale-bench texts (near-duplicates, a flat spectrum: hard for HNSW): M=16/ef_construction=100
# tops out at recall 0.95 of the top 50 at search ef 400; M=32/200 reaches 0.99 (build ~2x slower). At 100k rows
# (session 19) M=32/400 holds .997 of the top 50 at search ef 800, where M=32/200 held .976 (and .993 at ef 1,600):
# the better graph halves every search's walk. Its build is ~1.9x slower (100k rows on one thread: 80 s against
# 42 s), in the background; until it catches up, the rows it has not reached are scanned exactly.
LINKS = 32
BUILD_EF = 400
MIN_CANDIDATES = 200  # asked of the index at least by the main walk, whatever k (re-scoring makes extra harmless)
# The search list's size: MAX_EF, or the candidates asked when they are more (a k past 200). ef 800 holds recall
# .996-.999 of the exact top 10, 50 and 100 at 100k rows (counting ties) in ~2 ms; the cost grows with ef (~3.2 ms
# p50 at 1,600).
MAX_EF = 800
# A secondary ranking's walk (`approximate`: a list question's head phrase), which asks the index for k candidates
# only (the main walk asks 4k). At 100k hash-embedded scale-bench rows it holds .83 / .89 of the exact top 50 / 100
# counting ties (at ef 400 and 4k candidates: .88 / .94) and takes ~2 ms less off a list question at 100k: the p95's
# searches are list questions (session 24, bench/RESULTS.md).
SHORT_EF = 200
CHUNK = 2048  # rows indexed per step of the builder: short holds of the lock, so searches go on
LOCK_WAIT = 0.005  # seconds a walk waits for the index's lock before the caller scans exactly
RowSource = Callable[[int, int], NDArray[np.float32]]  # rows [start, end) of the matrix, unit length
DeadRows = Callable[[int, int], Iterable[int]]  # positions in [start, end) that are not live rows
_BUILDING: weakref.WeakSet[HnswIndex] = weakref.WeakSet()
_EXIT_HOOK = threading.Lock()
_hooked = False


def _stop_builders() -> None:
    """At exit: each builder ends after its chunk (a chunk takes ~1-2 s), and is waited for."""
    indexes = list(_BUILDING)
    for index in indexes:
        index.stopping = True
    for index in indexes:
        index.wait(30)


def _hook_exit() -> None:
    global _hooked
    with _EXIT_HOOK:
        if not _hooked:
            atexit.register(_stop_builders)
            _hooked = True


def hnswlib_module() -> Any | None:
    """hnswlib, or None when it is not installed (the exact scan then serves every scope)."""
    try:
        import hnswlib  # lazily: small scopes never need it
    except ImportError:
        return None
    return hnswlib


class HnswIndex:
    """Rows [0, indexed) of a growing matrix in an HNSW graph; rows past `indexed` are still to add."""

    def __init__(self, index: Any, indexed: int = 0, deleted: Iterable[int] = ()) -> None:
        """Over an hnswlib index that holds labels [0, indexed), `deleted` of them marked deleted in it."""
        self._index = index
        self._index.set_num_threads(1)  # a shared machine: the builder takes one core, never all of them
        self._lock = threading.Lock()  # hnswlib's resize and mark_deleted are not safe beside a query
        self._indexed = indexed
        self._deleted: set[int] = set(deleted)
        self._builder: threading.Thread | None = None
        self.stopping = False  # set at interpreter exit (_stop_builders)
        # Called on the builder's thread each time it has caught up (ScopeVectors saves the index there).
        self.caught_up: Callable[[], None] | None = None

    @classmethod
    def new(cls, hnswlib: Any, dims: int, capacity: int) -> HnswIndex:
        """An empty index with room for `capacity` rows (it grows past them)."""
        index = hnswlib.Index(space="ip", dim=dims)
        index.init_index(max_elements=max(capacity, CHUNK), ef_construction=BUILD_EF, M=LINKS)
        return cls(index)

    @property
    def indexed(self) -> int:
        """Rows [0, indexed) are in the graph."""
        return self._indexed

    @property
    def busy(self) -> bool:
        """Whether a walk would wait for the lock now: a save or a resize holds it (~0.5 s at 100k rows)."""
        return self._lock.locked()

    @property
    def dead(self) -> int:
        """Rows in the graph marked deleted."""
        return len(self._deleted)

    def catch_up(self, rows: RowSource, used: Callable[[], int], dead: DeadRows) -> None:
        """Index rows up to `used()` in a background thread (one at a time; it exits when caught up)."""
        if self.stopping or (self._builder is not None and self._builder.is_alive()):
            return
        _hook_exit()
        _BUILDING.add(self)
        self._builder = threading.Thread(target=self._build, args=(rows, used, dead), daemon=True,
                                         name="graphmem-hnsw")
        self._builder.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the builder has caught up (tests, benchmarks)."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)

    def stop(self, timeout: float) -> bool:
        """No more building (the store closes): the builder ends after its chunk. Whether it has ended."""
        self.stopping = True
        self.wait(timeout)
        return self._builder is None or not self._builder.is_alive()

    def _build(self, rows: RowSource, used: Callable[[], int], dead: DeadRows) -> None:
        while not self.stopping:
            self._add_rows(rows, used, dead)
            if self.stopping or self.caught_up is None:
                return
            self.caught_up()
            if used() <= self._indexed:  # rows added while it ran (a save takes ~0.5 s) are indexed now
                return

    def _add_rows(self, rows: RowSource, used: Callable[[], int], dead: DeadRows) -> None:
        while not self.stopping and (end := min(used(), self._indexed + CHUNK)) > self._indexed:
            start = self._indexed
            batch = rows(start, end)  # outside the lock: written once, never changed
            with self._lock:
                if end > self._index.get_max_elements():
                    self._index.resize_index(max(end, 2 * self._index.get_max_elements()))
            self._index.add_items(batch, np.arange(start, end))  # hnswlib inserts beside queries safely
            with self._lock:
                self._indexed = end
                self._mark(dead(start, end))

    def save(self, path: str) -> tuple[int, list[int]]:
        """Write the index to `path` (hnswlib's format); the rows it holds and those of them marked deleted.
        Called on the builder's thread, caught up, or by a close once the builder has ended: nothing adds rows
        meanwhile. Under the lock: no row is marked deleted while the file is written, so the list returned is
        exactly the file's."""
        with self._lock:
            self._index.save_index(path)
            return self._indexed, sorted(self._deleted)

    def remove(self, positions: Iterable[int]) -> None:
        """Rows no longer live: the graph still walks through them but never returns them."""
        with self._lock:
            self._mark(p for p in positions if p < self._indexed)

    def _mark(self, positions: Iterable[int]) -> None:
        for position in positions:
            if position not in self._deleted:
                self._deleted.add(position)
                self._index.mark_deleted(position)

    def candidates(self, vector: NDArray[np.float32], k: int, approximate: bool = False) -> NDArray[np.int64] | None:
        """Positions of about the k best indexed live rows (approximate; the caller re-scores); None when the
        index cannot answer (the caller scans exactly). `approximate`: a shorter walk (SHORT_EF) serves."""
        # A save or a resize holds the lock ~0.5 s at 100k rows: the exact scan (~10 ms) answers sooner, and a
        # lookup on the event loop (kuzu's _in_scope) never waits that long.
        if not self._lock.acquire(timeout=LOCK_WAIT):
            return None
        try:
            live = self._indexed - len(self._deleted)
            if live <= 0:
                return np.zeros(0, dtype=np.int64)
            asked = min(k if approximate else max(4 * k, MIN_CANDIDATES), live)
            # MAX_EF for the main walk (4k asked, at least 200) up to k = 200: at 100k hash-embedded scale-bench
            # rows, ef 800 on a graph built at BUILD_EF held .999 / .997 / .996 of the exact top 10 / 50 / 100
            # counting ties, ~2 ms a query (the exact scan: ~9-12 ms; session 19, bench/RESULTS.md).
            self._index.set_ef(max(asked, SHORT_EF if approximate else MAX_EF))
            try:
                labels, _ = self._index.knn_query(vector, k=asked)
            except RuntimeError as exc:
                # hnswlib raises when its walk finds fewer than `asked` live labels ("Cannot return the results in
                # a contiguous 2D array"): many rows marked deleted, or rows the builder is adding not yet linked.
                logger.debug("the ANN index could not answer, the scope is scanned exactly: %r", exc)
                return None
        finally:
            self._lock.release()
        found: NDArray[np.int64] = labels[0].astype(np.int64)
        return found
