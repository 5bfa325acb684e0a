"""The sync facade mirrors AsyncMemory, works inside a running event loop, and importing loads nothing heavy."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import graphmem
from graphmem import AsyncMemory, Memory, NotFoundError

ConfigFor = Callable[..., dict[str, Any]]


def public_methods(cls: type) -> dict[str, Any]:
    return {name: member for name, member in inspect.getmembers(cls)
            if not name.startswith("_") and callable(member)}


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_sync_and_async_have_the_same_methods() -> None:
    assert set(public_methods(Memory)) == set(public_methods(AsyncMemory))
    assert {"add", "search", "get", "get_all", "update", "delete", "delete_all", "history", "reset",
            "close", "from_config"} <= set(public_methods(Memory))


@pytest.mark.parametrize("name", sorted(public_methods(AsyncMemory)))
def test_sync_and_async_signatures_match(name: str) -> None:
    sync, coro = getattr(Memory, name), getattr(AsyncMemory, name)
    assert parameters(sync) == parameters(coro)
    if name != "from_config":
        assert inspect.iscoroutinefunction(coro) and not inspect.iscoroutinefunction(sync)


def test_async_memory_round_trip(config_for: ConfigFor) -> None:
    async def scenario() -> None:
        memory = AsyncMemory.from_config(config_for(":memory:"))
        try:
            added = await asyncio.gather(*(memory.add(f"I like colour {c}", user_id=c, infer=False)
                                           for c in ("red", "green", "blue")))
            assert all(len(a["results"]) == 1 for a in added)
            memory_id = added[0]["results"][0]["id"]
            found = await memory.search("colour", user_id="red")
            assert [r["id"] for r in found["results"]] == [memory_id]
            await memory.update(memory_id, "I like colour crimson")
            assert (await memory.get(memory_id))["memory"] == "I like colour crimson"
            await memory.delete(memory_id)
            assert [e["event"] for e in await memory.history(memory_id)] == ["ADD", "UPDATE", "DELETE"]
            with pytest.raises(NotFoundError):
                await memory.delete(memory_id)
        finally:
            await memory.close()

    asyncio.run(scenario())


def test_sync_memory_works_inside_a_running_event_loop(config_for: ConfigFor) -> None:
    async def notebook_cell() -> list[str]:  # Jupyter runs cells while its loop is running
        asyncio.get_running_loop()
        with Memory(config_for(":memory:")) as memory:
            memory.add("I like jazz", user_id="alice", infer=False)
            return [r["memory"] for r in memory.search("jazz", user_id="alice")["results"]]

    assert asyncio.run(notebook_cell()) == ["I like jazz"]


def test_closed_memory_refuses_calls_and_close_is_idempotent(config_for: ConfigFor) -> None:
    memory = Memory.from_config(config_for(":memory:"))
    memory.add("I like jazz", user_id="alice", infer=False)
    memory.close()
    memory.close()
    with pytest.raises(RuntimeError, match="closed"):
        memory.get_all(user_id="alice")


def test_close_returns_once_the_store_is_closed(config_for: ConfigFor, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = Memory.from_config(config_for(":memory:"))
    memory.add("I like jazz", user_id="alice", infer=False)
    steps: list[str] = []
    close = AsyncMemory.close

    async def slow_close(self: AsyncMemory) -> None:  # a big store's close saves its indexes first (seconds)
        await asyncio.sleep(0.3)
        await close(self)
        steps.append("closed")

    monkeypatch.setattr(AsyncMemory, "close", slow_close)
    memory.close()
    steps.append("returned")
    assert steps == ["closed", "returned"]
    assert memory._loop is None


def test_a_failed_close_still_stops_the_loop_thread(config_for: ConfigFor, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = Memory.from_config(config_for(":memory:"))
    memory.add("I like jazz", user_id="alice", infer=False)
    loop = memory._loop
    assert loop is not None
    close = AsyncMemory.close

    async def failing_close(self: AsyncMemory) -> None:
        await close(self)
        raise OSError("disk full while saving an index")

    monkeypatch.setattr(AsyncMemory, "close", failing_close)
    with pytest.raises(OSError, match="disk full"):
        memory.close()
    assert not loop.alive()


def test_unused_memory_closes_cleanly(config_for: ConfigFor) -> None:
    Memory(config_for(":memory:")).close()  # never connected: nothing to release, nothing to warn about


def test_import_loads_nothing_heavy() -> None:
    heavy = ("torch", "kuzu", "spacy", "sentence_transformers", "transformers")
    code = f"import sys, graphmem; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == ""
    assert graphmem.__all__ and all(hasattr(graphmem, name) for name in graphmem.__all__)
