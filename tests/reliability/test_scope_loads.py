"""A scope's first load runs without the loaded scopes' lock: other scopes' lookups go on meanwhile (a 100k scope's
load takes seconds), and a load that a commit to its scope overtook is not kept: the lookup loads the scope again
under the lock."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from graphmem import AsyncMemory
from graphmem.backends import kuzu as kuzu_module
from graphmem.backends.base import Statement
from graphmem.backends.kuzu import KuzuBackend
from graphmem.scope import Scope


def store(tmp_path: Path) -> AsyncMemory:
    return AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                        "embedder": {"provider": "hash"}})


async def with_two_scopes(tmp_path: Path) -> tuple[AsyncMemory, KuzuBackend]:
    """A store holding memories of "small" and "big", none of them loaded."""
    memory = store(tmp_path)
    await memory.add("Bob likes green tea", user_id="small", infer=False)
    await memory.add("Alice climbs in Leeds on Sundays", user_id="big", infer=False)
    backend = await memory._ready()
    assert isinstance(backend, KuzuBackend)
    with backend._scopes.lock:
        backend._scopes.forget()
    return memory, backend


async def added_unloaded(memory: AsyncMemory, backend: KuzuBackend, text: str, user_id: str) -> str:
    """Add a memory, then drop the loaded scopes (the add loaded them); its id."""
    added = (await memory.add(text, user_id=user_id, infer=False))["results"][0]["id"]
    with backend._scopes.lock:
        backend._scopes.forget()
    return str(added)


def loads_of(monkeypatch: pytest.MonkeyPatch, before_return: Any = None) -> list[str]:
    """The user ids of the scopes loaded from now on; `before_return(user)` runs after a load read its rows."""
    loads: list[str] = []
    read = kuzu_module.scope_rows

    def counted(fetch: Any, table: str, scope: Any, *args: Any) -> Any:
        found = read(fetch, table, scope, *args)
        if table == "memory":
            loads.append(scope.user_id)
            if before_return is not None:
                before_return(scope.user_id)
        return found

    monkeypatch.setattr(kuzu_module, "scope_rows", counted)
    return loads


def deleting_once(backend: KuzuBackend, memory_id: str) -> Any:
    """A `loads_of` hook that deletes the memory once, after the big scope's load read its rows: a commit landing
    while it loads (the store's own write thread runs it; this thread waits for it)."""
    loop = asyncio.get_running_loop()
    deleted: list[str] = []

    def delete_meanwhile(user: str) -> None:
        if user == "big" and not deleted:
            deleted.append(memory_id)
            delete = backend.write([Statement("memory/delete", {"id": memory_id})])
            asyncio.run_coroutine_threadsafe(delete, loop).result(30)

    return delete_meanwhile


def test_a_loaded_scope_answers_while_another_scope_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release, began = threading.Event(), threading.Event()

    def hold_big(user: str) -> None:
        if user == "big":
            began.set()
            release.wait(30)

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        memory, _ = await with_two_scopes(tmp_path)
        try:
            await memory.search("tea", user_id="small")  # loaded
            loads = loads_of(monkeypatch, hold_big)
            big = asyncio.ensure_future(memory.search("climbing", user_id="big"))
            await asyncio.to_thread(began.wait, 30)
            more_big = asyncio.ensure_future(memory.search("Leeds", user_id="big"))  # waits, but not on a read thread
            try:  # the big scope's load holds no lock that the small scope's lookups need, nor every read thread
                small = await asyncio.wait_for(memory.search("green tea", user_id="small"), 30)
                listed = await asyncio.wait_for(memory.get_all(user_id="small"), 30)  # reads the store
                assert [r["memory"] for r in listed["results"]] == ["Bob likes green tea"]
                assert not big.done() and not more_big.done()
            finally:
                release.set()
            found = await asyncio.wait_for(big, 30)
            await asyncio.wait_for(more_big, 30)
            return loads, [r["memory"] for r in small["results"]], [r["memory"] for r in found["results"]]
        finally:
            await memory.close()

    loads, small, big = asyncio.run(scenario())
    assert small == ["Bob likes green tea"] and big == ["Alice climbs in Leeds on Sundays"]
    assert loads == ["big"]  # loaded once


def test_a_load_that_a_commit_to_its_scope_overtook_is_loaded_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that changes the scope while it loads without the lock may be half read by the load: that load is
    dropped, and the scope loads again under the lock (where no commit lands), as the store holds it."""
    async def scenario() -> tuple[list[str], list[str]]:
        memory, backend = await with_two_scopes(tmp_path)
        gone = await added_unloaded(memory, backend, "Alice hates early trains", "big")
        try:
            loads = loads_of(monkeypatch, deleting_once(backend, gone))  # the rows the load read are stale
            found = await asyncio.wait_for(memory.search("Alice", user_id="big", limit=5), 30)
            return loads, [r["memory"] for r in found["results"]]
        finally:
            await memory.close()

    loads, found = asyncio.run(scenario())
    assert found == ["Alice climbs in Leeds on Sundays"]  # not the memory deleted while the first load ran
    assert loads == ["big", "big"]


def test_a_commit_to_another_scope_leaves_a_load_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commits: list[str] = []

    async def scenario() -> tuple[list[str], list[str]]:
        memory, _ = await with_two_scopes(tmp_path)
        loop = asyncio.get_running_loop()

        def commit_meanwhile(user: str) -> None:
            if user == "big" and not commits:  # once: another scope's add commits after the load read its rows
                commits.append(user)
                add = memory.add("Carol plays the violin", user_id="small", infer=False)
                asyncio.run_coroutine_threadsafe(add, loop).result(30)

        try:
            loads = loads_of(monkeypatch, commit_meanwhile)
            found = await asyncio.wait_for(memory.search("climbing", user_id="big"), 30)
            small = await memory.search("violin", user_id="small")
            return loads, [r["memory"] for r in found["results"] + small["results"]]
        finally:
            await memory.close()

    loads, found = asyncio.run(scenario())
    assert found == ["Alice climbs in Leeds on Sundays", "Carol plays the violin", "Bob likes green tea"]
    assert loads.count("big") == 1


def test_two_first_lookups_of_one_scope_load_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> list[str]:
        memory, _ = await with_two_scopes(tmp_path)
        try:
            loads = loads_of(monkeypatch)
            await asyncio.gather(*(memory.search(q, user_id="big") for q in ("climbing", "Leeds", "Sundays")))
            return loads
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["big"]


def test_lookups_racing_to_load_one_scope_leave_the_read_threads_free(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Two lookups that start the same scope's load at once: one loads, the other waits on the event loop, not on
    the other of the store's two read threads (the store's other reads need it)."""
    release, began = threading.Event(), threading.Event()

    def hold_big(user: str) -> None:
        if user == "big":
            began.set()
            release.wait(30)

    async def scenario() -> list[str]:
        memory, backend = await with_two_scopes(tmp_path)
        try:
            vector = await memory.embedder.embed_query("climbing")
            loads = loads_of(monkeypatch, hold_big)
            both = [asyncio.ensure_future(backend.vector_search("memory", vector, 5, Scope.of("big")))
                    for _ in range(2)]
            await asyncio.to_thread(began.wait, 30)
            try:
                listed = await asyncio.wait_for(memory.get_all(user_id="small"), 30)  # a read thread is free
                assert [r["memory"] for r in listed["results"]] == ["Bob likes green tea"]
            finally:
                release.set()
            await asyncio.wait_for(asyncio.gather(*both), 30)
            return loads
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["big"]


def test_a_delete_in_another_scope_leaves_a_load_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing, retouching or counting rows that the load did not read changes nothing it holds."""
    async def scenario() -> tuple[list[str], list[str]]:
        memory, backend = await with_two_scopes(tmp_path)
        other = await added_unloaded(memory, backend, "Dave repairs bikes", "small")
        try:
            loads = loads_of(monkeypatch, deleting_once(backend, other))
            found = await asyncio.wait_for(memory.search("climbing", user_id="big"), 30)
            return loads, [r["memory"] for r in found["results"]]
        finally:
            await memory.close()

    loads, found = asyncio.run(scenario())
    assert found == ["Alice climbs in Leeds on Sundays"] and loads == ["big"]
