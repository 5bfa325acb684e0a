"""Kuzu, the embedded default: a directory on disk or `:memory:`, no server.

All database work runs on the database's one thread with its one connection, shared by every
Memory of the process on the same path (graphmem/backends/kuzu_store.py): a transaction stays on
the connection that began it, and nothing else runs inside it. Search is answered from scopes loaded into RAM
(graphmem/inprocess/), kept in step with every commit made here; Kuzu runs the loads,
the graph hops over RELATES and the writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from graphmem.backends.base import (
    Row,
    Statement,
    VectorTable,
    dims_marker,
    reset_statements,
)
from graphmem.backends.cypher import CypherLibrary
from graphmem.backends.kuzu_store import SharedDatabase, acquire, real_path, release, write_locks
from graphmem.backends.kuzu_vectors import scope_rows
from graphmem.backends.kuzu_writes import (
    apply_updates,
    bind_vectors,
    runs_of,
    scope_updates,
    vector_row,
)
from graphmem.config import KuzuConfig
from graphmem.errors import BackendError
from graphmem.inprocess.ann_files import IndexFile
from graphmem.inprocess.cache import ScopeCache
from graphmem.inprocess.entities import ScopeEntities
from graphmem.inprocess.loads import Loading
from graphmem.inprocess.scopes import LoadedScope, ScopeMemories
from graphmem.inprocess.vectors import ANN_MIN_ROWS
from graphmem.pacing import Pacer, collections_paused
from graphmem.scope import Scope

T = TypeVar("T")
# A vector lookup that scores at most this many rows one by one runs on the event loop (_in_scope): ~2 ms at most,
# as an approximate index's walk at 100k rows (a scope with one scores only the rows it has not indexed yet).
INLINE_ROWS = ANN_MIN_ROWS
# A keyword lookup's rows x query characters that it may run on the event loop: at most ~1-1.5 ms (100,000 rows x
# 100-200 characters, 10,000 x 1,000: ~0.4 ms; session 25), where a hop to a thread and back costs ~0.4-0.7 ms.
INLINE_KEYWORD_WORK = 20_000_000
INLINE_KEYWORD_CHARS = 1_000  # the query's own analysis costs by its length alone (~14 ms at 100,000 characters)


class KuzuBackend:
    dialect = "kuzu"

    def __init__(self, config: KuzuConfig) -> None:
        self._config = config
        self._path = real_path(config.db)
        self._library = CypherLibrary(self.dialect)
        self._dims = 0
        self._shared: SharedDatabase | None = None
        self.locks = write_locks(self._path)

    @property
    def location(self) -> str:
        return self._path

    @property
    def _db(self) -> SharedDatabase:
        if self._shared is None:
            raise BackendError(f"the Kuzu database at {self._path!r} is not open (closed, or not opened yet)")
        return self._shared

    @property
    def _scopes(self) -> ScopeCache:
        return self._db.scopes

    async def _run(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the database's writing thread, after the work every user of the database queued before."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db.executor, fn)

    async def _run_read(self, fn: Callable[[], T]) -> T:
        """Run `fn` (which only reads) on the database's reading thread: it sees the last commit and does
        not wait for writes queued or running (another scope's big add)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db.read_executor, fn)

    async def _run_lookup(self, fn: Callable[[], T]) -> T:
        """Run `fn` (a lookup in loaded scopes, no statement) on a lookup thread: it never queues behind a read."""
        return await asyncio.get_running_loop().run_in_executor(self._db.lookup_executor, fn)

    # -- connection and schema -------------------------------------------------------------

    async def open(self, dims: int) -> None:
        if self._shared is not None:
            return
        shared = await asyncio.to_thread(acquire, self._path, self._config, dims)
        self._shared, self._dims = shared, dims
        try:
            await self._run(lambda: self._create_schema(dims))
        except BaseException:
            await self.close()  # a failed open must not keep the database locked
            raise

    def _create_schema(self, dims: int) -> None:
        for name in self._library.names():
            if name.startswith("schema/"):
                self._db.execute(self._library.render(name, dims=dims))
        marker = dims_marker(self._fetch("admin/get_meta", {"key": "embedding_dims"}), dims,
                             f"database at {self._path!r}", "another graph_store.config.db")
        if marker is not None:
            self._fetch(marker.name, marker.params)
        # No engine index: vector and keyword search run in the process (graphmem/inprocess/). Stores made by
        # earlier versions may carry HNSW indexes (memory_emb, entity_emb) and a full-text one (memory_fts);
        # they are left alone (DROP_VECTOR_INDEX failed on such a store here with a catalog error, Kuzu
        # 0.11.3) and only slow that store's writes. A full-text index cost ~25% of an add's write.

    # -- running statements ----------------------------------------------------------------

    def _execute(self, text: str, params: dict[str, Any] | None = None) -> list[Row]:
        """One statement of text, now, on the caller's thread (for tests and tools that inspect the store)."""
        return self._db.execute(text, params)

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Row]:
        rows: list[Row] = []
        for text, values in self._library.runs(name, params):
            rows.extend(self._db.execute(text, values))
        return rows

    async def read(self, name: str, params: dict[str, Any]) -> list[Row]:
        if name == "graph/neighbours" and not await self._holds_relations():
            return []  # a store without RELATES edges (added without extraction): a query and a thread hop saved
        return await self._run_read(lambda: self._fetch(name, params))

    async def _holds_relations(self) -> bool:
        """Whether the database may hold a RELATES edge: read once per process (a search's graph hop costs
        ~1.5 ms, and a store added with infer=False has none to find), then kept true by every commit that
        creates one. A commit tracked while it is read wins: the count it started from has moved."""
        db = self._db
        if db.holds_relations is None:
            def probe() -> None:
                seen = db.relation_commits
                db.relations_read(seen, bool(self._fetch("relation/any", {})))

            await self._run_read(probe)
        return db.holds_relations is not False

    async def read_together(self, reads: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Row]]:
        """The reads as of one commit: one read-only transaction on one read connection (reads on two
        threads would let a commit land between them: an export's edges to memories it does not hold)."""
        return await self._run_read(lambda: self._db.read_transaction(
            lambda: [self._fetch(name, params) for name, params in reads]))

    async def write(self, statements: Sequence[Statement]) -> None:
        await self._run(lambda: self._write_sync(statements))

    def _write_sync(self, statements: Sequence[Statement]) -> None:
        def work() -> None:
            pacer = Pacer()
            for statement in statements:
                if not statement.is_empty_batch():
                    for name, params in runs_of(statement):
                        self._fetch(name, bind_vectors(params, pacer))

        updates = scope_updates(statements)  # made before the commit: applied under the loaded scopes' lock
        relating = any(s.name == "relation/create" and not s.is_empty_batch() for s in statements)

        def committed() -> Callable[[], None] | None:  # under the scopes' lock, right after the commit
            if relating:
                self._db.relations_changed(True)
            self._scopes.overtake(updates)  # scopes being loaded that it changes are loaded again
            return apply_updates(updates, self._scopes)

        self._db.transaction(work, committed)

    # -- search in loaded scopes (graphmem/inprocess/) ----------------------------------------

    def _load_unlocked(self, table: VectorTable, scope: Scope) -> Loading | None:
        """Load a scope not held yet without holding the loaded scopes' lock: a 100k scope's load takes seconds,
        and every other scope's lookups wait for that lock (a search of a loaded 1k scope waited 6 s). The load is
        kept only if no commit that changes the scope landed while it read the store (it may have read part of
        one: inprocess/loads.py); else it is read again under the lock (`_loaded`), as every load was before, and
        then the lookups waiting for it go on. On a read thread. Returns the load of another thread when one is
        under way: the caller waits for it off the read threads (two: the store's other reads need them), then
        looks again."""
        cache = self._scopes
        with cache.lock:
            # A load that began while a commit lands untracked would read it, and its tracking would take the load
            # as overtaken (read again, under the lock): it begins once the commit is tracked (Kuzu's checkpoint in
            # the COMMIT keeps new reads waiting meanwhile in any case).
            if cache.get_tracked(table, scope) is not None:
                return None
            loading = cache.loading(table, scope)
        if not loading.lock.acquire(blocking=False):
            return loading
        try:
            if loading.ended:  # another thread's load ended meanwhile (the scope is loaded, or its read failed)
                return None
            loaded: LoadedScope | None = None
            try:
                with cache.lock:
                    files = cache.begin_load(table, scope)
                loaded, saving = self._read_scope(table, scope, files)
            finally:
                try:
                    with cache.lock:
                        cache.commits_tracked()  # a commit landing now is judged by what it changes (overtake)
                        kept = cache.end_load(table, scope, loading, loaded) and cache.get(table, scope) is None
                        if kept and loaded is not None:
                            cache.adopt(table, scope, loaded)
                        elif loaded is not None:
                            # Read again under the lock before the lookups waiting for this load go on: woken
                            # first, one began a load of its own beside it (the scope read three times).
                            self._loaded(table, scope)
                finally:
                    loading.end()
        finally:
            loading.lock.release()
        if not kept:
            loaded.drop()  # its index stops building and is never saved
            return None
        saving()
        return None

    def _read_scope(self, table: VectorTable, scope: Scope,
                    files: Mapping[str, IndexFile] | None = None) -> tuple[LoadedScope, Callable[[], None]]:
        """The scope read from the store (a large one's vectors from their copy beside it when it fits:
        inprocess/vector_files.py) as a loaded scope not held yet, and what to run once it is held (a save)."""
        with collections_paused():
            rows, saving = scope_rows(self._fetch, table, scope, self._scopes.vector_files, self._dims, vector_row)
            return self._scopes.make(table, scope, rows, files), saving

    def _loaded(self, table: VectorTable, scope: Scope) -> LoadedScope:
        """The scope's rows in RAM, loaded from the store on first use (most lookups loaded it already, without
        the lock: `_load_unlocked`). Callers hold the cache's lock: another Memory on this path may commit
        meanwhile; its rows are added after this load, not lost between the load and the put."""
        loaded = self._scopes.get_tracked(table, scope)
        if loaded is None:
            loaded, saving = self._read_scope(table, scope)
            self._scopes.adopt(table, scope, loaded)
            saving()
        return loaded

    def _memories(self, scope: Scope) -> ScopeMemories:
        loaded = self._loaded("memory", scope)
        assert isinstance(loaded, ScopeMemories)
        return loaded

    def _entities(self, scope: Scope) -> ScopeEntities:
        loaded = self._loaded("entity", scope)
        assert isinstance(loaded, ScopeEntities)
        return loaded

    async def _in_scope(self, fn: Callable[[], T], *held: tuple[VectorTable, Scope],
                        inline_rows: int | None = None, loads: Sequence[tuple[VectorTable, Scope]] | None = None,
                        scanned: bool = False) -> T:
        """`fn` under the loaded scopes' lock. On the event loop itself when it only looks up `held` scopes that are
        loaded, and the lock is free: such a lookup takes microseconds, the hop to a thread and back ~0.3-0.5 ms, and
        a search makes a dozen of them. A lookup whose cost grows with the scope (a vector scan, a keyword walk)
        names the most rows it runs inline in (`inline_rows`: of the scope, or with `scanned` those its vector search
        scores one by one); one by id, name or time costs the same in a scope of any size (None: a 100k scope's
        search hopped ~2 ms). Else a lookup of loaded `held` scopes runs on a
        lookup thread (it never queues behind a statement: a big scope's load on both read threads held up the
        other scopes' big lookups for seconds), and anything else on a read thread, where the scopes `fn` reads
        (`loads`, else `held`) that are not loaded yet are loaded first, without the lock."""
        if held and self._scopes.lock.acquire(blocking=False):
            try:
                if self._all_held(held, inline_rows, scanned):
                    return fn()
            finally:
                self._scopes.lock.release()
        if held:  # only looks up loaded scopes: on a lookup thread, unless one of them is not loaded any more
            done, answer = await self._run_lookup(partial(self._looked_up, fn, held))
            if done:
                return cast(T, answer)

        needs = held if loads is None else loads

        def locked() -> tuple[Loading | None, T | None]:
            for table, scope in needs:
                if (busy := self._load_unlocked(table, scope)) is not None:
                    return busy, None
            with self._scopes.lock:
                return None, fn()
        while True:
            for table, scope in needs:  # another lookup loads it: wait off the read threads (two), which others need
                if (loading := self._scopes.being_loaded(table, scope)) is not None:
                    await loading.wait()
            busy, answer = await self._run_read(locked)
            if busy is None:
                return cast(T, answer)
            await busy.wait()

    def _looked_up(self, fn: Callable[[], T], held: Sequence[tuple[VectorTable, Scope]]) -> tuple[bool, T | None]:
        """`fn` under the lock if the scopes it looks up are loaded (True, its answer); else (False, None): a lookup
        thread runs no statement, so loading them is for a read thread."""
        with self._scopes.lock:
            if self._all_held(held):
                return True, fn()
        return False, None

    def _all_held(self, held: Sequence[tuple[VectorTable, Scope]], most_rows: int | None = None,
                  scanned: bool = False) -> bool:
        """Whether these scopes are all loaded (under the lock), each of at most `most_rows` rows when given (rows
        a vector search scores one by one, with `scanned`)."""
        return all((found := self._scopes.get(table, scope)) is not None
                   and (most_rows is None or (found.scanned_rows if scanned else len(found)) <= most_rows)
                   for table, scope in held)

    async def vector_search(self, table: VectorTable, vector: list[float], k: int, scope: Scope,
                            context_vector_weight: float = 0.0, approximate: bool = False) -> list[Row]:
        if table == "memory" and context_vector_weight > 0:
            weight = context_vector_weight
            return await self._in_scope(
                lambda: self._memories(scope).top_in_context(vector, k, weight, approximate), (table, scope),
                inline_rows=INLINE_ROWS, scanned=True)
        return await self._in_scope(lambda: self._loaded(table, scope).top(vector, k, approximate), (table, scope),
                                    inline_rows=INLINE_ROWS, scanned=True)

    async def keyword_search(self, query: str, k: int, scope: Scope) -> list[Row]:
        return await self._keywords(lambda memories: memories.keyword_top(query, k), query, scope)

    async def keyword_coverage(self, query: str, scope: Scope) -> float | None:
        return await self._keywords(lambda memories: memories.keyword_coverage(query), query, scope)

    async def _keywords(self, fn: Callable[[ScopeMemories], T], query: str, scope: Scope) -> T:
        """A keyword lookup walks the postings of each of the query's terms (its cost grows with the scope's rows
        times the query's length): on the event loop only while that product is at most INLINE_KEYWORD_WORK, for an
        ASCII query of at most INLINE_KEYWORD_CHARS: other text may be CJK once folded (NFKC: "⼈⽣" is 人生), and its
        first CJK words load jieba's dictionary (~0.7 s)."""
        held = (("memory", scope),) if query.isascii() and len(query) <= INLINE_KEYWORD_CHARS else ()
        inline_rows = INLINE_KEYWORD_WORK // max(len(query), 1)
        return await self._in_scope(lambda: fn(self._memories(scope)), *held, inline_rows=inline_rows,
                                    loads=(("memory", scope),))

    async def memory_briefs(self, ids: list[str], scope: Scope) -> list[Row]:
        return await self._in_scope(lambda: self._memories(scope).briefs(ids), ("memory", scope))

    async def memories_between(self, start: str | None, end: str | None, k: int, scope: Scope) -> list[Row]:
        return await self._in_scope(lambda: self._memories(scope).between(start, end, k), ("memory", scope))

    async def entities_named(self, names: list[str], scope: Scope) -> list[Row]:
        return await self._in_scope(lambda: self._entities(scope).named(names), ("entity", scope))

    async def memories_mentioning(self, entity_ids: list[str], max_degree: int, scope: Scope,
                                  per_entity: int | None = None) -> list[Row]:
        return await self._in_scope(lambda: self._memories(scope).mentioning(entity_ids, max_degree, per_entity),
                                    ("memory", scope))

    async def entities_by_names(self, names: list[str], scope: Scope) -> list[Row]:
        # From RAM: entity/by_names scans the whole Entity table in Kuzu 0.11 (~2-9 ms an add at 2k-20k memories).
        found = await self._in_scope(lambda: self._entities(scope).by_names(names, scope.ids),
                                     loads=(("entity", scope),))
        if found is not None:
            return found
        # A match loaded without its columns: the store, read without the scopes' lock (a read may wait ~5 s for a
        # checkpoint, and every loaded scope's lookups need that lock).
        return await self.read("entity/by_names", {"sk": scope.key, "names": names})

    async def valid_hashes(self, hashes: list[str], scope: Scope) -> list[Row]:
        # From RAM: memory/find_hashes scans the whole Memory table in Kuzu 0.11 (no index on hash), which
        # made every add slower as the store grew.
        return await self._in_scope(lambda: self._memories(scope).with_hashes(hashes, scope.ids),
                                    loads=(("memory", scope),))

    async def memory_rows(self, ids: list[str]) -> list[Row]:
        if self._scopes.lock.acquire(blocking=False):  # every row in a loaded scope: no hop to a read thread
            try:
                held = self._scopes.records(ids)
            finally:
                self._scopes.lock.release()
            if len(held) == len(set(ids)):
                return [held[i] for i in ids]

        def rows() -> list[Row]:
            with self._scopes.lock:
                held = self._scopes.records(ids)
            missing = [i for i in ids if i not in held]
            if missing:  # not in a loaded scope (or no longer valid): from the store
                held.update((r["id"], r) for r in self._fetch("memory/get_many", {"ids": missing}))
            return [held[i] for i in ids if i in held]

        return await self._run_read(rows)

    async def memories_of_episodes(self, episode_ids: list[str], scope: Scope) -> list[Row]:
        return await self._in_scope(lambda: self._memories(scope).of_episodes(episode_ids), ("memory", scope))

    # -- lifecycle -------------------------------------------------------------------------

    async def reset(self) -> None:
        """graphmem's nodes and edges go; the schema, and any other table of the database, stay."""
        await self.write(reset_statements(self._dims))

    async def close(self) -> None:
        shared, self._shared = self._shared, None
        if shared is not None:
            await asyncio.to_thread(release, shared)
