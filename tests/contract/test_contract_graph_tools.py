"""The agent tools' graph reads (graphmem/explore.py) answer the same on every backend."""

from __future__ import annotations

from typing import Any

from contract_support import memory_config

from graphmem import Memory

JOHN = "John works at OpenAI and is friends with Sarah"


def triples(relations: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


def test_graph_reads(graph_store: dict[str, Any]) -> None:
    with Memory(memory_config(graph_store)) as memory:
        memory.add(JOHN, user_id="alice", timestamp="2024-01-01T00:00:00Z")
        memory.add("Sarah lives in Paris", user_id="alice", timestamp="2024-02-01T00:00:00Z")
        memory.add("Bob lives in Rome", user_id="bob", timestamp="2024-02-01T00:00:00Z")
        assert triples(memory.entity_neighbourhood("john", user_id="alice")["relations"]) == {
            ("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")}
        assert len(memory.entity_neighbourhood("John", hops=2, user_id="alice")["relations"]) == 3
        assert triples(memory.entity_neighbourhood("Sarah", as_of="2024-01-15", user_id="alice")["relations"]) == {
            ("John", "friend_of", "Sarah")}
        [path] = memory.paths_between("John", "Paris", user_id="alice")["paths"]
        assert path["hops"] == 2
        changes = memory.entity_timeline("Sarah", user_id="alice")["changes"]
        assert [c["relationship"] for c in changes] == ["friend_of", "lives_in"]
        past = memory.what_was_true("2024-01-15", user_id="alice")
        assert [m["memory"] for m in past["memories"]] == [JOHN] and len(past["relations"]) == 2
        summary = memory.graph_summary(user_id="alice")
        assert (summary["entities"], summary["memories"], summary["relations"]) == (4, 2, 3)
        assert {s.user_id for s in memory.scopes()} == {"alice", "bob"}


def test_scope_sizes_count_each_scopes_unexpired_memories(graph_store: dict[str, Any]) -> None:
    with Memory(memory_config(graph_store)) as memory:
        for text in ("I like tea", "I like cake"):
            memory.add(text, user_id="alice", infer=False)
        memory.add("I like pie", user_id="alice", infer=False, expiration_date="2000-01-01")  # expired
        memory.add("I like jam", user_id="alice", infer=False, expiration_date="2999-01-01")
        memory.add("Deploys on Friday", user_id="alice", agent_id="ops", infer=False,
                   metadata={"note": {"expiration_date": "2000-01-01"}})  # not mem0's date: a nested key
        memory.add("Deploys on Monday", agent_id="ops", run_id="r1", infer=False)
        [gone] = memory.add("I like rain", user_id="bob", infer=False)["results"]
        memory.delete(gone["id"])
        sizes = {scope.ids: size for scope, size in memory.scope_sizes()}
        assert sizes == {("alice", None, None): 3, ("alice", "ops", None): 1, (None, "ops", "r1"): 1}
        assert set(sizes) == {scope.ids for scope in memory.scopes()}
