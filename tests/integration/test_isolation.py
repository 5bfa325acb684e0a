"""A scope never sees another scope's memories, whatever characters its ids and metadata hold."""

from __future__ import annotations

import pytest

from graphmem import Memory
from graphmem.backends import kuzu_store

HOSTILE = {
    "quote": "o'brien",
    "double-quote": 'say "hi"',
    "backslash": "back\\slash\\",
    "braces": "}{",
    "cypher": "MATCH (n) DETACH DELETE n",
    "injection": "' OR 1=1 //",
    "param": "$user_id",
    "placeholder": "<<graph>>",
    "unicode": "😀 用户 Ωμέγα",
    "newline": "line\nbreak\ttab",
    "long": "x" * 20_000,
}


@pytest.mark.parametrize("field", ["user_id", "agent_id", "run_id"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_ids_and_metadata_stay_in_their_scope(memory: Memory, field: str, value: str) -> None:
    # Both scopes hold the same text, so vector, keyword and graph signals all match both.
    neighbour = value + "_"
    text = f"The secret code is {value[:40]}"
    mine = memory.add(text, **{field: value}, metadata={"tag": value}, infer=False)["results"][0]["id"]
    theirs = memory.add(text, **{field: neighbour}, metadata={"tag": neighbour}, infer=False)["results"][0]["id"]
    for scope_id, own in ((value, mine), (neighbour, theirs)):
        scope = {field: scope_id}
        assert [r["id"] for r in memory.search("secret code", **scope)["results"]] == [own]
        assert [r["id"] for r in memory.search(text, filters=scope, top_k=10)["results"]] == [own]
        listed = memory.get_all(**scope)["results"]
        assert [r["id"] for r in listed] == [own] and listed[0][field] == scope_id
    # Filters with such values match exactly, never loosely.
    assert [r["id"] for r in memory.get_all(**{field: value}, filters={"tag": value})["results"]] == [mine]
    assert memory.get_all(**{field: neighbour}, filters={"tag": value})["results"] == []
    assert memory.search("secret", **{field: value}, filters={"tag": {"in": [neighbour]}})["results"] == []
    # Deleting one scope leaves the other.
    memory.delete_all(**{field: value})
    assert memory.get_all(**{field: value})["results"] == []
    assert [r["id"] for r in memory.get_all(**{field: neighbour})["results"]] == [theirs]


def test_hostile_text_is_stored_verbatim(memory: Memory) -> None:
    for value in HOSTILE.values():
        memory_id = memory.add(value, user_id="alice", infer=False)["results"][0]["id"]
        assert memory.get(memory_id)["memory"] == value
    assert len(memory.get_all(user_id="alice", limit=50)["results"]) == len(HOSTILE)
    assert memory.get_all(user_id="bob")["results"] == []


def test_users_graphs_stay_apart(memory: Memory) -> None:
    memory.add("John works at OpenAI.", user_id="alice")
    memory.add("John works at Google.", user_id="bob")
    for user, employer in (("alice", "OpenAI"), ("bob", "Google")):
        found = memory.search("Where does John work?", user_id=user)
        assert {r["user_id"] for r in found["results"]} == {user}
        assert {r["target"] for r in found["relations"]} == {employer}
        assert {r["target"] for r in memory.get_all(user_id=user)["relations"]} == {employer}


def test_a_users_search_spans_their_agents_and_runs_only(memory: Memory) -> None:
    memory.add("alice alone likes tea", user_id="alice", infer=False)
    memory.add("alice with the bot likes tea", user_id="alice", agent_id="bot", infer=False)
    memory.add("alice in run one likes tea", user_id="alice", run_id="r1", infer=False)
    memory.add("bob with the bot likes tea", user_id="bob", agent_id="bot", infer=False)
    assert len(memory.search("likes tea", user_id="alice")["results"]) == 3
    assert {r["memory"] for r in memory.search("likes tea", user_id="alice", agent_id="bot")["results"]} == {
        "alice with the bot likes tea"}
    assert {r["memory"] for r in memory.search("likes tea", agent_id="bot")["results"]} == {
        "alice with the bot likes tea", "bob with the bot likes tea"}


def test_scopes_stay_apart_when_loaded_vectors_are_evicted(memory: Memory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Scoped vector search keeps each searched scope's vectors in RAM, at most MAX_SCOPE_ROWS in all.
    monkeypatch.setattr(kuzu_store, "MAX_SCOPE_ROWS", 2)
    users = [f"user{i}" for i in range(5)]
    for user in users:
        memory.add(f"favourite colour of {user}", user_id=user, infer=False)
    for _ in range(2):
        for user in users:
            assert [r["memory"] for r in memory.search("favourite colour", user_id=user)["results"]] == [
                f"favourite colour of {user}"]


def test_batch_adds_keep_every_episode_in_its_own_scope(disk_memory: Memory) -> None:
    # Regression: with episodes created before the indexed memories, Kuzu lost most of a batch's episodes
    # at COMMIT (on disk), numbers were reused, and the context signal lifted other scopes' memories.
    sizes = {"ann": 200, "bob": 800}
    for user, size in sizes.items():
        texts = [f"{user} note {i} about gardening and {i % 17} tomatoes" for i in range(size)]
        for start in range(0, size, 64):
            disk_memory.add([{"role": "user", "content": t} for t in texts[start:start + 64]], user_id=user,
                            infer=False)
    backend = disk_memory._async.backend
    for user, size in sizes.items():
        rows = disk_memory._run(backend.read("memory/ids_in_scope", {"user_id": user, "agent_id": None,
                                                                      "run_id": None}))
        memories = disk_memory._run(backend.read("memory/get_many", {"ids": [r["id"] for r in rows]}))
        episodes = [e for m in memories for e in m["episode_ids"]]
        assert len(rows) == len(set(episodes)) == size
        for memory in memories[::50]:  # the edges the lookup lists repeat
            edges = disk_memory._run(backend.read("memory/episodes_of", {"id": memory["id"]}))
            assert [e["episode_id"] for e in edges] == memory["episode_ids"]
        found = disk_memory.search("gardening tomatoes", user_id=user, limit=100)["results"]
        assert found and all(r["user_id"] == user and r["memory"].startswith(user) for r in found)
