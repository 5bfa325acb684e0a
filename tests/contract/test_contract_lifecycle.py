"""The whole mem0 API, one call after another, through `Memory` and through `AsyncMemory`, on every backend.

add (infer=False and infer=True with the offline extractor), search with relations, get, get_all,
update, history, delete, delete_all, reset: the same scenario, the same answers, whatever the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from contract_support import memory_config

from graphmem import AsyncMemory, Memory

Call = Callable[..., Awaitable[Any]]


class AsAsync:
    """A sync `Memory` seen through the async API's shape, so one scenario drives both facades."""

    def __init__(self, memory: Memory) -> None:
        self._memory = memory

    def __getattr__(self, name: str) -> Call:
        method = getattr(self._memory, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


def triples(relations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


async def scenario(mem: Any) -> None:
    # add, verbatim: every message is a memory (mem0's infer=False)
    verbatim = await mem.add([{"role": "user", "content": "I'm a vegetarian and I love pizza"},
                              {"role": "assistant", "content": "Got it, no meat then"}],
                             user_id="alice", infer=False, metadata={"topic": "food"})
    assert [(r["memory"], r["event"]) for r in verbatim["results"]] == [
        ("I'm a vegetarian and I love pizza", "ADD"), ("Got it, no meat then", "ADD")]
    pizza = verbatim["results"][0]["id"]

    # add, inferred: facts, entities and relations from the offline extractor
    inferred = await mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    assert [r["event"] for r in inferred["results"]] == ["ADD"] * len(inferred["results"]) != []
    added = triples(inferred["relations"]["added_entities"])
    assert {("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")} <= added
    john = next(r["id"] for r in inferred["results"] if "OpenAI" in r["memory"])
    await mem.add("Bob likes trains", user_id="bob", infer=False)

    # search: ranked memories and the relations around the entities the query names
    found = await mem.search("Where does John work?", user_id="alice", limit=5)
    assert found["results"][0]["id"] == john and all(0 <= r["score"] <= 1 for r in found["results"])
    assert ("John", "works_at", "OpenAI") in triples(found["relations"])
    assert [r["id"] for r in (await mem.search("pizza", user_id="alice", limit=1))["results"]] == [pizza]
    assert (await mem.search("John", user_id="bob"))["relations"] == []

    # get and get_all
    got = await mem.get(pizza)
    assert (got["memory"], got["user_id"], got["metadata"], got["role"]) == (
        "I'm a vegetarian and I love pizza", "alice", {"topic": "food"}, "user")
    everything = await mem.get_all(user_id="alice")
    assert {r["id"] for r in everything["results"]} >= {pizza, john} and len(everything["results"]) == 3
    assert triples(everything["relations"]) >= added

    # update, then history
    assert await mem.update(pizza, "I'm a vegan and I love pizza") == {"message": "Memory updated successfully!"}
    assert (await mem.get(pizza))["memory"] == "I'm a vegan and I love pizza"
    assert [r["id"] for r in (await mem.search("vegan", user_id="alice", limit=1))["results"]] == [pizza]
    assert [(h["event"], h["old_memory"], h["new_memory"]) for h in await mem.history(pizza)] == [
        ("ADD", None, "I'm a vegetarian and I love pizza"),
        ("UPDATE", "I'm a vegetarian and I love pizza", "I'm a vegan and I love pizza")]

    # delete: the memory and the relations it brought go; its history stays
    assert await mem.delete(john) == {"message": "Memory deleted successfully!"}
    assert await mem.get(john) is None
    assert [h["event"] for h in await mem.history(john)] == ["ADD", "DELETE"]
    after = await mem.get_all(user_id="alice")
    assert john not in {r["id"] for r in after["results"]} and after["relations"] == []

    # delete_all: one scope goes, the others stay
    assert await mem.delete_all(user_id="alice") == {"message": "Memories deleted successfully!"}
    assert await mem.get_all(user_id="alice") == {"results": [], "relations": []}
    assert [r["memory"] for r in (await mem.get_all(user_id="bob"))["results"]] == ["Bob likes trains"]

    # reset: every scope goes, and the store takes new memories at once
    await mem.reset()
    assert await mem.get_all(user_id="bob") == {"results": [], "relations": []}
    again = await mem.add("John works at OpenAI", user_id="alice")
    assert ("John", "works_at", "OpenAI") in triples(again["relations"]["added_entities"])


@pytest.mark.parametrize("facade", ["Memory", "AsyncMemory"])
def test_the_whole_mem0_api(graph_store: dict[str, Any], facade: str) -> None:
    config = memory_config(graph_store)
    if facade == "Memory":
        with Memory(config) as memory:
            asyncio.run(scenario(AsAsync(memory)))
        return

    async def run() -> None:
        memory = AsyncMemory(config)
        try:
            await scenario(memory)
        finally:
            await memory.close()

    asyncio.run(run())
