"""The cache of loaded scopes shared by every Memory on one store, and the changes a commit makes to them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from graphmem.inprocess.ann_files import IndexFile, IndexFiles
from graphmem.inprocess.entities import ScopeEntities
from graphmem.inprocess.loaded_rows import LoadedRows
from graphmem.inprocess.loads import Loading, ScopeUpdate, kept, overtake
from graphmem.inprocess.scopes import LoadedScope, ScopeMemories
from graphmem.inprocess.vector_files import VectorFiles
from graphmem.inprocess.vectors import Owner, VectorRow, owns
from graphmem.scope import Scope

DEFAULT_MAX_ROWS = 2_000_000  # ~3 GB of 384-float rows across every loaded scope


class ScopeSet:
    """Changes that a commit makes to loaded scopes, applied to each scope of a set that it concerns."""

    def __init__(self, scopes: Mapping[tuple[str, Scope], LoadedScope]) -> None:
        self._scopes = scopes

    def add(self, table: str, rows: Sequence[VectorRow]) -> None:
        """New rows go into every loaded scope of the table that owns them."""
        for (name, scope), loaded in self._scopes.items():
            if name == table:
                loaded.extend(r for r in rows if owns(scope, r.owner))

    def rename(self, rows: Sequence[dict[str, Any]]) -> None:
        """New aliases `{id, aliases}` of entities, in every loaded entity scope that holds them."""
        for loaded in self._scopes.values():
            if isinstance(loaded, ScopeEntities):
                for row in rows:
                    if row["id"] in loaded:
                        loaded.set_aliases(row["id"], row["aliases"])

    def mentioned(self, rows: Sequence[dict[str, Any]]) -> None:
        """More memories `{id, memory_ids}` mention these entities, in every loaded entity scope that holds them."""
        for loaded in self._scopes.values():
            if isinstance(loaded, ScopeEntities):
                for row in rows:
                    loaded.mentioned(row["id"], len(row["memory_ids"]))

    def retouch(self, rows: Sequence[dict[str, Any]]) -> None:
        """New column values `{id, metadata, updated_at}` of memories, in every loaded memory scope that holds them."""
        for loaded in self._scopes.values():
            if isinstance(loaded, ScopeMemories):
                for row in rows:
                    loaded.retouch(row)

    def remove(self, table: str, ids: Sequence[str]) -> None:
        for (name, _), loaded in self._scopes.items():
            if name == table:
                loaded.remove(ids)


class ScopeCache(ScopeSet):
    """Loaded scopes per table ("memory", "entity"), least recently used first out once too many rows are held.

    Callers that share a cache between threads hold `lock` around each use. With `files` (a store on disk),
    the scopes' approximate indexes are saved there and loaded from there (ann_files.py).
    """

    def __init__(self, dims: int, max_rows: int = DEFAULT_MAX_ROWS, files: IndexFiles | None = None) -> None:
        self.lock = threading.RLock()
        # Commits whose COMMIT may have landed and whose changes are not tracked yet (SharedDatabase.transaction): a
        # scope read from the store now may or may not hold them, so none is loaded until they are tracked.
        self._commits = 0
        self._tracked = threading.Condition(self.lock)
        self._dims = dims
        self._max_rows = max_rows
        self._files = files
        # Beside the indexes, large scopes' vectors are saved for the next load (vector_files.py, kuzu_vectors.py).
        self.vector_files = None if files is None else VectorFiles(files.folder)
        self._scopes: OrderedDict[tuple[str, Scope], LoadedScope] = OrderedDict()
        # Scopes being loaded without the lock (inprocess/loads.py, KuzuBackend._load_unlocked), and their files.
        self._in_flight: dict[tuple[str, Scope], Loading] = {}
        super().__init__(self._scopes)

    def held(self) -> ScopeSet:
        """The scopes loaded now (a commit's changes are for these: one loaded later read them from the store)."""
        return ScopeSet(dict(self._scopes))

    def get(self, table: str, scope: Scope) -> LoadedScope | None:
        key = (table, scope)
        found = self._scopes.get(key)
        if found is not None:
            self._scopes.move_to_end(key)
        return found

    def get_tracked(self, table: str, scope: Scope) -> LoadedScope | None:
        """The scope if held; else, once no commit lands untracked (`commits_tracked`: the wait lets go of `lock`,
        so another lookup may load it meanwhile), the scope if held by then. None: it is for the caller to read
        from the store, under `lock`. A held scope's lookup never waits for a commit."""
        found = self.get(table, scope)
        if found is None:
            self.commits_tracked()
            found = self.get(table, scope)
        return found

    def put(self, table: str, scope: Scope, rows: Iterable[VectorRow]) -> LoadedScope:
        return self.adopt(table, scope, self.make(table, scope, rows))

    def make(self, table: str, scope: Scope, rows: Iterable[VectorRow] | LoadedRows,
             files: Mapping[str, IndexFile] | None = None) -> LoadedScope:
        """A loaded scope of the rows (memories may come by column: loaded_rows.py), not held yet (needs no lock: it
        touches nothing shared but saved files); `files`: its saved indexes by kind, handed out before its rows were
        read (`begin_load`)."""
        saved = files.__getitem__ if files is not None \
            else None if self._files is None else partial(self._files.of, owner=scope.ids)
        if table == "memory":
            return ScopeMemories(self._dims, rows, saved)
        if isinstance(rows, LoadedRows):
            raise TypeError("entities load as rows, not by column")
        return ScopeEntities(self._dims, rows, None if saved is None else saved("entity"))

    def adopt(self, table: str, scope: Scope, loaded: LoadedScope) -> LoadedScope:
        """Hold a loaded scope; the least recently used go while too many rows are held."""
        self._scopes[(table, scope)] = loaded
        while len(self._scopes) > 1 and sum(v.held_vectors for v in self._scopes.values()) > self._max_rows:
            self._scopes.popitem(last=False)[1].drop()
        return loaded

    def being_loaded(self, table: str, scope: Scope) -> Loading | None:
        """The scope's load under way, else None (a look without the lock: a load that starts right after it is
        found by the lookup's read thread, which hands it back to be waited for: KuzuBackend._in_scope)."""
        return self._in_flight.get((table, scope))

    def loading(self, table: str, scope: Scope) -> Loading:
        """The scope's load under way, or a new one (under `lock`): one load of a scope at a time holds its `lock`;
        a second waits for it, then finds the scope loaded."""
        return self._in_flight.setdefault((table, scope), Loading())

    def begin_load(self, table: str, scope: Scope) -> dict[str, IndexFile] | None:
        """Its saved index files, handed out now (under `lock`): a reset or delete_all from now on keeps them
        from saving what this load reads."""
        if self._files is None:
            return None
        kinds = ("memory", "parts") if table == "memory" else ("entity",)
        return {kind: self._files.of(kind, scope.ids) for kind in kinds}

    def end_load(self, table: str, scope: Scope, loading: Loading, loaded: LoadedScope | None) -> bool:
        """The load ends (under `lock`): whether what it `loaded` (None: it failed) may be kept (no commit changed
        what it holds meanwhile: inprocess/loads.py)."""
        if self._in_flight.get((table, scope)) is loading:
            del self._in_flight[(table, scope)]
        return loaded is not None and kept(loading, loaded)

    def commit_begins(self) -> None:
        """A commit is about to land (under `lock`); `commit_ends` once its changes are tracked."""
        self._commits += 1

    def commit_ends(self) -> None:
        """Under `lock`: the loads waiting for it go on."""
        self._commits -= 1
        if self._commits == 0:
            self._tracked.notify_all()

    def commits_tracked(self) -> None:
        """Wait (under `lock`, which the wait lets go of meanwhile) until no commit is landing untracked: what is
        read from the store then holds exactly the commits whose changes the loaded scopes were given or are being
        given (a big commit's rows go to the scopes held when it landed, in steps, after this)."""
        self._tracked.wait_for(lambda: self._commits == 0)

    def overtake(self, updates: Sequence[ScopeUpdate]) -> None:
        """A commit landed (under `lock`): the loads under way note what it changed (inprocess/loads.py)."""
        for (table, scope), loading in self._in_flight.items():
            overtake(loading, table, scope, updates)

    def records(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Whole memory rows held by any loaded scope, by id (ids held nowhere are left out)."""
        memories = [m for (name, _), m in reversed(self._scopes.items()) if isinstance(m, ScopeMemories)]
        found: dict[str, dict[str, Any]] = {}
        for memory_id in ids:
            record = next((r for r in (m.record(memory_id) for m in memories) if r is not None), None)
            if record is not None:
                found[memory_id] = record
        return found

    def forget(self, table: str | None = None) -> None:
        """Drop loaded scopes (of one table, or all): they reload from the store when next searched; so do the
        scopes being loaded."""
        self.overtake([("forget", () if table is None else (table,))])
        for key in [k for k in self._scopes if table is None or k[0] == table]:
            self._scopes.pop(key).drop()

    def close(self) -> None:
        """The store closes: every loaded scope's index stops building and is saved (ScopeVectors.close); then
        nothing is saved beside the store again (a scope dropped earlier may be ending its chunk)."""
        for loaded in self._scopes.values():
            loaded.close()
        if self._files is not None:
            self._files.close()
        if self.vector_files is not None:
            self.vector_files.close()

    def discard(self, owner: Owner | None) -> None:
        """Saved indexes and vectors that may hold a row of `owner`'s scope (None: of any) go, and the loaded ones
        that may are never saved again: what reset and delete_all delete leaves no vector on disk."""
        if self._files is not None:
            self._files.discard(owner)
        if self.vector_files is not None:
            self.vector_files.discard(owner)
