"""mem0's API through `Memory` on every backend: the same calls, the same answers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from contract_support import memory_config

from graphmem import AsyncMemory, Memory, NotFoundError


def texts(result: dict[str, Any]) -> list[str]:
    return [r["memory"] for r in result["results"]]


def triples(relations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


def test_add_verbatim_then_read_it_back(mem: Memory) -> None:
    result = mem.add([{"role": "system", "content": "Be terse."},
                      {"role": "user", "content": "My name is Alex", "name": "alex"},
                      {"role": "assistant", "content": "Hello Alex"}],
                     user_id="alice", infer=False, metadata={"topic": "intro", "n": 2})
    assert [(r["memory"], r["event"]) for r in result["results"]] == [("My name is Alex", "ADD"), ("Hello Alex", "ADD")]
    first = mem.get(result["results"][0]["id"])
    assert first is not None
    assert (first["memory"], first["user_id"], first["metadata"]) == ("My name is Alex", "alice",
                                                                     {"topic": "intro", "n": 2})
    assert (first["role"], first["actor_id"]) == ("user", "alex")
    assert sorted(texts(mem.get_all(user_id="alice"))) == ["Hello Alex", "My name is Alex"]
    assert mem.add("My name is Alex", user_id="alice", infer=False)["results"] == []  # mem0's NONE
    assert mem.get("00000000-0000-0000-0000-000000000000") is None


def test_add_with_inference_builds_the_graph(mem: Memory) -> None:
    result = mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    assert result["results"] and all(r["event"] == "ADD" for r in result["results"])
    added = {(r["source"], r["relationship"], r["target"]) for r in result["relations"]["added_entities"]}
    assert {("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")} <= added
    assert triples(mem.get_all(user_id="alice")["relations"]) >= added
    again = mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    assert again["results"] == [] and again["relations"]["added_entities"] == []


def test_search_ranks_memories_and_returns_relations(mem: Memory) -> None:
    mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    mem.add([{"role": "user", "content": "I'm a vegetarian and I love pizza, but I hate broccoli."}],
            user_id="alice", infer=False)
    found = mem.search("Where does John work?", user_id="alice", limit=5)
    assert found["results"][0]["memory"] == "John works at OpenAI and is friends with Sarah"
    assert all(0 <= r["score"] <= 1 for r in found["results"])
    assert ("John", "works_at", "OpenAI") in triples(found["relations"])
    assert all({"source", "relationship", "target", "destination", "fact", "score", "hops"} <= set(r)
               for r in found["relations"])
    food = mem.search("pizza", filters={"user_id": "alice"}, top_k=1)
    assert texts(food) == ["I'm a vegetarian and I love pizza, but I hate broccoli."]
    assert mem.search("pizza", user_id="bob") == {"results": [], "relations": []}


def test_metadata_filters(mem: Memory) -> None:
    mem.add("I love pizza", user_id="alice", infer=False, metadata={"topic": "food", "rating": 5})
    mem.add("I love trains", user_id="alice", infer=False, metadata={"topic": "travel", "rating": 3})
    assert texts(mem.search("love", user_id="alice", filters={"topic": "food"})) == ["I love pizza"]
    assert texts(mem.get_all(user_id="alice", filters={"rating": {"gte": 4}})) == ["I love pizza"]


def test_update_keeps_history(mem: Memory) -> None:
    [item] = mem.add("I live in Paris", user_id="alice", infer=False)["results"]
    assert mem.update(item["id"], "I live in Rome") == {"message": "Memory updated successfully!"}
    stored = mem.get(item["id"])
    assert stored is not None and stored["memory"] == "I live in Rome" and stored["updated_at"]
    assert texts(mem.search("Rome", user_id="alice")) == ["I live in Rome"]
    assert mem.search("Paris", user_id="alice")["results"] == [] or \
        texts(mem.search("Paris", user_id="alice")) == ["I live in Rome"]
    events = [(h["event"], h["old_memory"], h["new_memory"]) for h in mem.history(item["id"])]
    assert events == [("ADD", None, "I live in Paris"), ("UPDATE", "I live in Paris", "I live in Rome")]


def test_an_update_that_keeps_the_text_writes_the_metadata_alone(mem: Memory) -> None:
    [item] = mem.add("John works at OpenAI", user_id="alice", metadata={"src": "chat"})["results"]
    relations = mem.get_all(user_id="alice")["relations"]
    assert mem.update(item["id"], metadata={"topic": "work"}) == {"message": "Memory updated successfully!"}
    mem.update(item["id"], text="John works at OpenAI", metadata={"starred": True}, expiration_date="2999-01-01")
    stored = mem.get(item["id"])
    assert stored is not None and stored["memory"] == "John works at OpenAI"
    assert (stored["metadata"], stored["expiration_date"]) == ({"src": "chat", "topic": "work", "starred": True},
                                                               "2999-01-01")
    assert stored["updated_at"] >= stored["created_at"]
    [found] = mem.search("Where does John work?", user_id="alice", limit=1)["results"]
    assert (found["id"], found["metadata"]) == (item["id"], stored["metadata"])
    assert mem.get_all(user_id="alice", filters={"topic": "work"})["results"][0]["id"] == item["id"]
    assert mem.get_all(user_id="alice")["relations"] == relations
    events = [(h["event"], h["old_memory"], h["new_memory"]) for h in mem.history(item["id"])]
    assert events == [("ADD", None, "John works at OpenAI"), *[("UPDATE", "John works at OpenAI",
                                                                "John works at OpenAI")] * 2]


def test_delete_removes_the_memory_and_its_relations(mem: Memory) -> None:
    [item] = mem.add("John works at OpenAI", user_id="alice")["results"]
    [keep] = mem.add("I love pizza", user_id="alice", infer=False)["results"]
    assert mem.delete(item["id"]) == {"message": "Memory deleted successfully!"}
    assert mem.get(item["id"]) is None
    assert [h["event"] for h in mem.history(item["id"])] == ["ADD", "DELETE"]
    everything = mem.get_all(user_id="alice")
    assert texts(everything) == ["I love pizza"] and everything["relations"] == []
    with pytest.raises(NotFoundError):
        mem.delete(item["id"])
    assert mem.get(keep["id"]) is not None


def test_scopes_are_isolated(mem: Memory) -> None:
    mem.add("I love pizza", user_id="alice", agent_id="chef", infer=False)
    mem.add("I love sushi", user_id="alice", agent_id="waiter", run_id="r1", infer=False)
    mem.add("I love pizza", user_id="bob", infer=False)
    mem.add("Deploys happen on Friday", agent_id="ops", infer=False)
    assert sorted(texts(mem.get_all(user_id="alice"))) == ["I love pizza", "I love sushi"]
    assert texts(mem.get_all(user_id="alice", agent_id="chef")) == ["I love pizza"]
    assert texts(mem.get_all(run_id="r1")) == ["I love sushi"]
    assert texts(mem.get_all(agent_id="ops")) == ["Deploys happen on Friday"]
    assert [r["user_id"] for r in mem.search("pizza", user_id="bob")["results"]] == ["bob"]
    mem.delete_all(user_id="alice", agent_id="chef")
    assert texts(mem.get_all(user_id="alice")) == ["I love sushi"]
    assert texts(mem.get_all(user_id="bob")) == ["I love pizza"]


@pytest.mark.parametrize("value", ["o'brien", 'say "hi"', "MATCH (n) DETACH DELETE n", "$user_id", "用户 😀",
                                   "back\\slash"])
def test_hostile_ids_and_text_stay_verbatim_and_apart(mem: Memory, value: str) -> None:
    [mine] = mem.add(f"secret {value}", user_id=value, infer=False, metadata={"tag": value})["results"]
    mem.add(f"secret {value}", user_id=value + "_", infer=False)
    found = mem.search("secret", user_id=value)["results"]
    assert [(r["id"], r["memory"], r["user_id"], r["metadata"]) for r in found] \
        == [(mine["id"], f"secret {value}", value, {"tag": value})]


def test_reset_wipes_every_scope(mem: Memory) -> None:
    mem.add("I love pizza", user_id="alice", infer=False)
    mem.add("John works at OpenAI", agent_id="ops")
    mem.reset()
    assert mem.get_all(user_id="alice") == {"results": [], "relations": []}
    assert mem.get_all(agent_id="ops") == {"results": [], "relations": []}
    assert mem.add("I love pizza", user_id="alice", infer=False)["results"]


def test_concurrent_adds_all_land_in_their_scopes(graph_store: dict[str, Any]) -> None:
    async def scenario() -> list[int]:
        memory = AsyncMemory(memory_config(graph_store))
        try:
            await asyncio.gather(*(memory.add(f"Person {i} works at Acme and likes pizza number {i}",
                                              user_id=f"user-{i % 3}", infer=False) for i in range(12)))
            return [len((await memory.get_all(user_id=f"user-{u}"))["results"]) for u in range(3)]
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == [4, 4, 4]
