"""A COMMIT runs without the loaded scopes' lock: Kuzu may checkpoint in it, and a checkpoint waits for the reads in
flight (a big scope's load reads for seconds), while every loaded scope's lookups need that lock. A scope loaded from
the store while a commit lands is kept only once the commit's changes are tracked, holding them once."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from graphmem import AsyncMemory
from graphmem.backends import kuzu as kuzu_module
from graphmem.backends.kuzu import KuzuBackend
from graphmem.backends.kuzu_store import SharedDatabase
from graphmem.scope import Scope


def store(tmp_path: Path, **config: Any) -> AsyncMemory:
    return AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db"), **config}},
                        "embedder": {"provider": "hash"}})


def commits_held(monkeypatch: pytest.MonkeyPatch, landed: threading.Event, done: threading.Event,
                 before: Any = None, after: Any = None) -> None:
    """Each COMMIT sets `landed` as it starts (after `before()`), then, once through, runs `after()` and sets `done`."""
    commit = SharedDatabase._commit

    def held(self: SharedDatabase) -> None:
        if before is not None:
            before(self)
        landed.set()
        commit(self)
        if after is not None:
            after()
        done.set()

    monkeypatch.setattr(SharedDatabase, "_commit", held)


def test_a_checkpointing_commit_behind_a_long_read_leaves_loaded_scopes_alone(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit checkpoints (threshold 1 byte), and the checkpoint waits for a read that stands for a big
    scope's load. A search of a loaded scope answers meanwhile: before, it waited for the lock that the COMMIT held
    until Kuzu gave up on the read (~5.5 s)."""
    async def scenario() -> tuple[list[str], bool]:
        memory = store(tmp_path, checkpoint_threshold=1)
        try:
            await memory.add("Bob likes green tea", user_id="small", infer=False)
            await memory.search("tea", user_id="small")  # loaded
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            reading, release = threading.Event(), threading.Event()

            def long_read() -> None:
                reading.set()
                release.wait(30)

            read = asyncio.ensure_future(backend._run_read(lambda: backend._db.read_transaction(long_read)))
            await asyncio.to_thread(reading.wait, 30)
            landed, committed = threading.Event(), threading.Event()
            commits_held(monkeypatch, landed, committed)
            add = asyncio.ensure_future(memory.add("Carol plays the violin", user_id="other", infer=False))
            try:
                await asyncio.to_thread(landed.wait, 30)
                found = await asyncio.wait_for(memory.search("green tea", user_id="small"), 30)
                waiting = not committed.is_set()  # the COMMIT still waits for the read
            finally:
                release.set()
            await asyncio.wait_for(asyncio.gather(read, add), 30)
            return [r["memory"] for r in found["results"]], waiting
        finally:
            await memory.close()

    found, waiting = asyncio.run(scenario())
    assert found == ["Bob likes green tea"] and waiting


def test_a_scope_loaded_while_a_commit_lands_holds_its_changes_once(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The entity scope is dropped just before an add's COMMIT, and looked up by a search once the COMMIT has
    landed but before its changes (one more mention of Alice) are tracked: its load waits for the tracking before
    it reads (a load that read the commit would be overtaken by it, and read again under the lock), and reads once.
    Its mention counts are then the store's (given the commit's changes as well, Alice's would be one too many)."""
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        memory = store(tmp_path)
        big = Scope.of("big")
        try:
            await memory.add("Alice climbs in Leeds on Sundays", user_id="big", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            loaded, go = threading.Event(), threading.Event()
            loads: list[str] = []
            read = kuzu_module.scope_rows

            def counted(fetch: Any, table: str, scope: Any, *args: Any) -> Any:
                found = read(fetch, table, scope, *args)
                if table == "entity" and scope.user_id == "big":
                    loads.append(table)
                    loaded.set()
                return found

            def drop_scopes(db: SharedDatabase) -> None:
                with db.scopes.lock:
                    db.scopes.forget()
                monkeypatch.setattr(kuzu_module, "scope_rows", counted)

            landed, committed = threading.Event(), threading.Event()
            commits_held(monkeypatch, landed, committed, before=drop_scopes, after=lambda: go.wait(30))
            add = asyncio.ensure_future(memory.add("Alice cooks dal with Bob", user_id="big", infer=False))
            await asyncio.to_thread(landed.wait, 30)
            search = asyncio.ensure_future(backend.entities_named(["alice"], big))
            assert not await asyncio.to_thread(loaded.wait, 0.5)  # its load waits for the tracking
            go.set()
            await asyncio.wait_for(asyncio.gather(add, search), 30)
            made = list(loads)
            return (*held_and_fresh(backend, big), made)
        finally:
            await memory.close()

    held, fresh, loads = asyncio.run(scenario())
    assert held == fresh and max(held.values()) == 2  # Alice, said twice
    assert loads == ["entity"]  # once, after the tracking


def held_and_fresh(backend: KuzuBackend, scope: Scope) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mention counts of the scope's entities as held loaded, and as a fresh read of the store has them."""
    with backend._scopes.lock:
        held = backend._scopes.get("entity", scope)
        fresh, _ = backend._read_scope("entity", scope)
    assert held is not None
    return mentions(held), mentions(fresh)


def mentions(entities: Any) -> dict[str, Any]:
    return {record["name"]: record.get("mentions") for _, record in entities._records.values()}


def test_a_load_reading_when_a_commit_lands_is_judged_by_its_tracking(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock-free load that began before an add's COMMIT and reads the store once it has landed, before it is
    tracked, waits for the tracking: the commit named Alice again, which the load holds, so it is not kept and the
    scope is read again under the lock. The mention counts held are the store's (kept, Alice's would be one too
    many)."""
    async def scenario() -> tuple[list[bool], dict[str, Any], dict[str, Any]]:
        memory = store(tmp_path)
        big = Scope.of("big")
        try:
            # The adds are a run's: they resolve entities in the run's scope, not in the user's scope being loaded.
            await memory.add("Alice climbs in Leeds", user_id="big", run_id="r1", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            with backend._scopes.lock:
                backend._scopes.forget()
            reading, landed, go = threading.Event(), threading.Event(), threading.Event()
            loads: list[bool] = []  # whether each load of the entity scope read under the lock
            read = kuzu_module.scope_rows

            def paused(fetch: Any, table: str, scope: Any, *args: Any) -> Any:
                if table == "entity" and scope == big:
                    if not loads:
                        reading.set()
                        landed.wait(30)  # reads once the COMMIT has landed, untracked
                    loads.append(backend._scopes.lock._is_owned())  # type: ignore[attr-defined]
                return read(fetch, table, scope, *args)

            monkeypatch.setattr(kuzu_module, "scope_rows", paused)
            committed = threading.Event()
            commits_held(monkeypatch, threading.Event(), committed, after=lambda: (landed.set(), go.wait(30)))
            search = asyncio.ensure_future(backend.entities_named(["alice"], big))
            await asyncio.to_thread(reading.wait, 30)
            add = asyncio.ensure_future(memory.add("Alice cooks dal", user_id="big", run_id="r1", infer=False))
            await asyncio.to_thread(landed.wait, 30)
            go.set()
            await asyncio.wait_for(asyncio.gather(add, search), 30)
            made = list(loads)
            return (made, *held_and_fresh(backend, big))
        finally:
            await memory.close()

    loads, held, fresh = asyncio.run(scenario())
    assert held == fresh and held["Alice"] == 2
    assert loads == [False, True]  # lock-free, overtaken; then under the lock
