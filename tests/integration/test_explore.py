"""The graph reads behind the agent tools (graphmem/explore.py), on real Kuzu with the offline extractor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graphmem import Memory
from graphmem.errors import ValidationError

# Kuzu in memory, hash embedder (see tests/conftest.py): fast, and the offline extractor still builds the graph.
IN_MEMORY = {"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}, "embedder": {"provider": "hash"}}

JOHN = "John works at OpenAI and is friends with Sarah"


@pytest.fixture(scope="module")
def graph() -> Iterator[Memory]:
    with Memory(IN_MEMORY) as memory:
        memory.add(JOHN, user_id="alice", timestamp="2024-01-01T00:00:00Z")
        memory.add("Sarah lives in Paris", user_id="alice", timestamp="2024-02-01T00:00:00Z")
        memory.add("Bob lives in Rome", user_id="bob", timestamp="2024-02-01T00:00:00Z")
        yield memory


def triples(relations: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


def test_neighbourhood_walks_hops_and_matches_names_in_any_case(graph: Memory) -> None:
    one = graph.entity_neighbourhood("john", user_id="alice")
    assert one["found"] and triples(one["relations"]) == {("John", "works_at", "OpenAI"),
                                                          ("John", "friend_of", "Sarah")}
    two = graph.entity_neighbourhood("John", hops=2, user_id="alice")
    assert ("Sarah", "lives_in", "Paris") in triples(two["relations"])
    assert [r["hops"] for r in two["relations"]] == sorted(r["hops"] for r in two["relations"])
    assert graph.entity_neighbourhood("John", user_id="bob") == {
        "entity": "John", "found": False, "as_of": None, "relations": []}


def test_as_of_before_a_relation_began_leaves_it_out(graph: Memory) -> None:
    then = graph.entity_neighbourhood("Sarah", as_of="2024-01-15", user_id="alice")
    assert triples(then["relations"]) == {("John", "friend_of", "Sarah")}
    past = graph.what_was_true("2024-01-15", user_id="alice")
    assert [m["memory"] for m in past["memories"]] == [JOHN]
    assert ("Sarah", "lives_in", "Paris") not in triples(past["relations"])
    assert graph.what_was_true("2023-01-01", user_id="alice")["relations"] == []


def test_paths_between_and_timeline(graph: Memory) -> None:
    found = graph.paths_between("John", "paris", user_id="alice")
    assert [[r["relationship"] for r in p["relations"]] for p in found["paths"]] == [["friend_of", "lives_in"]]
    assert graph.paths_between("John", "Paris", max_hops=1, user_id="alice")["paths"] == []
    timeline = graph.entity_timeline("Sarah", user_id="alice")
    assert [(c["at"][:10], c["change"], c["relationship"]) for c in timeline["changes"]] == [
        ("2024-01-01", "started", "friend_of"), ("2024-02-01", "started", "lives_in")]


def test_summary_and_entities(graph: Memory) -> None:
    summary = graph.graph_summary(user_id="alice")
    assert (summary["entities"], summary["memories"], summary["relations"]) == (4, 2, 3)
    assert summary["top_entities"][0]["name"] == "Sarah"
    assert {e["name"] for e in graph.entities(user_id="bob")} == {"Bob", "Rome"}


@pytest.mark.parametrize(("call", "field"), [
    (lambda m: m.entity_neighbourhood("John", hops=4, user_id="alice"), "hops"),
    (lambda m: m.entity_neighbourhood(" ", user_id="alice"), "entity"),
    (lambda m: m.what_was_true("last tuesday-ish", user_id="alice"), "as_of"),
    (lambda m: m.paths_between("John", "Sarah", max_hops=0, user_id="alice"), "max_hops"),
    (lambda m: m.entity_timeline("John"), "user_id"),
    (lambda m: m.entity_timeline("John", limit=0, user_id="alice"), "limit"),
    (lambda m: m.entities(limit=-1, user_id="alice"), "limit"),
])
def test_bad_input_names_the_field(graph: Memory, call: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call(graph)  # type: ignore[operator]
    assert caught.value.field == field


def test_a_contradicted_relation_ends_in_the_timeline_and_holds_as_of_before() -> None:
    """A move (an LLM's contradiction, scripted) ends the old relation: the timeline shows when, and the
    neighbourhood and what_was_true at an earlier date still show the old home."""
    from llm_support import entity, fact, llm_config, llm_memory, memory_config, relation

    from graphmem.testing.llm_server import LLMServer

    paris = {"facts": [fact("alex lives in Paris", "alex", "Paris")],
             "entities": [entity("alex", "person"), entity("Paris", "location")],
             "relations": [relation("alex", "lives_in", "Paris", "alex lives in Paris")]}
    berlin = {"facts": [fact("alex lives in Berlin", "alex", "Berlin", contradicts="m1")],
              "entities": [entity("alex", "person"), entity("Berlin", "location")],
              "relations": [relation("alex", "lives_in", "Berlin", "alex lives in Berlin")]}
    with LLMServer({"I live in Paris": paris, "I moved to Berlin": berlin}) as server, \
            llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I live in Paris", user_id="alex", timestamp="2024-01-01T00:00:00Z")
        memory.add("I moved to Berlin", user_id="alex", timestamp="2024-06-01T00:00:00Z")
        changes = memory.entity_timeline("alex", user_id="alex")["changes"]
        assert [(c["at"][:7], c["change"], c["target"]) for c in changes] == [
            ("2024-01", "started", "Paris"), ("2024-06", "ended", "Paris"), ("2024-06", "started", "Berlin")]
        assert triples(memory.entity_neighbourhood("alex", user_id="alex")["relations"]) == {
            ("alex", "lives_in", "Berlin")}
        assert triples(memory.entity_neighbourhood("alex", as_of="2024-03-01", user_id="alex")["relations"]) == {
            ("alex", "lives_in", "Paris")}
        then = memory.what_was_true("2024-03-01", user_id="alex")
        assert [m["memory"] for m in then["memories"]] == ["alex lives in Paris"]
        assert triples(then["relations"]) == {("alex", "lives_in", "Paris")}
