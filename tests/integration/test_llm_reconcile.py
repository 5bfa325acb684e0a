"""Reconciliation, time travel, entity aliases and procedural memory with an LLM: real Kuzu, the real
openai and anthropic SDKs, the scripted LLMServer on 127.0.0.1."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from graph_support import BERLIN, PARIS, PEPPERONI, PIZZA
from llm_support import entity, fact, llm_config, llm_memory, memory_config, relation

from graphmem import ConfigError, ExtractionError, Memory, ValidationError
from graphmem.testing.llm_server import Fault, LLMServer

PROVIDERS = ["openai", "anthropic"]
ENDPOINT = {"openai": "chat", "anthropic": "messages"}

PIZZA_AGAIN = {"facts": [fact("Alex likes pizza.", "alex", "pizza")],
               "entities": [entity("alex", "person"), entity("pizza", "food")], "relations": []}


@pytest.fixture
def server() -> Iterator[LLMServer]:
    script = {"I live in Paris": PARIS, "I moved from Paris to Berlin": BERLIN, "I like pizza": PIZZA,
              "pepperoni": PEPPERONI, "Pizza is great": PIZZA_AGAIN}
    with LLMServer(script) as running:
        yield running


def all_relations(memory: Memory, user_id: str) -> list[dict[str, Any]]:
    """Every relation of the user, superseded ones included (get_all shows only valid ones)."""
    return memory._run(memory._async.backend.read(
        "relation/list", {"limit": 100, "include_invalid": True, "user_id": user_id, "agent_id": None, "run_id": None}))


def triples(relations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_move_supersedes_the_old_home_and_as_of_still_knows_it(server: LLMServer, provider: str) -> None:
    chat = ENDPOINT[provider]
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        [paris] = memory.add("I live in Paris", user_id="alex")["results"]
        assert server.calls == {chat: 1}
        before = datetime.now(timezone.utc)
        moved = memory.add("I moved from Paris to Berlin", user_id="alex")
        assert server.calls == {chat: 2}  # the model's verdict needed no second call
        assert "[m1] alex lives in Paris" in server.requests[1].text  # the nearby memory was shown
        berlin_id = moved["results"][0]["id"]
        assert moved["results"] == [{"id": berlin_id, "memory": "alex lives in Berlin", "event": "ADD"},
                                    {"id": paris["id"], "memory": "alex lives in Paris", "event": "DELETE"}]
        assert moved["relations"]["added_entities"] == [{"source": "alex", "relationship": "lives_in",
                                                         "target": "Berlin"}]

        stored = {(r["target"]): r for r in all_relations(memory, "alex")}
        assert stored["Paris"]["invalid_at"] is not None and stored["Berlin"]["invalid_at"] is None

        now = memory.search("Where does alex live?", user_id="alex")
        assert [r["memory"] for r in now["results"]] == ["alex lives in Berlin"]
        assert ("alex", "lives_in", "Berlin") in triples(now["relations"])
        assert ("alex", "lives_in", "Paris") not in triples(now["relations"])
        assert [r["memory"] for r in memory.get_all(user_id="alex")["results"]] == ["alex lives in Berlin"]
        assert triples(memory.get_all(user_id="alex")["relations"]) == {("alex", "lives_in", "Berlin")}

        history = memory.history(paris["id"])
        assert [(h["event"], h["old_memory"], h["new_memory"]) for h in history] == [
            ("ADD", None, "alex lives in Paris"), ("DELETE", "alex lives in Paris", "alex lives in Berlin")]

        old = memory.get(paris["id"])
        assert old is not None and old["invalid_at"] > old["created_at"]  # get still shows it, superseded
        then = memory.search("Where does alex live?", user_id="alex", as_of=before)
        assert [r["memory"] for r in then["results"]] == ["alex lives in Paris"]
        assert triples(then["relations"]) == {("alex", "lives_in", "Paris")}
        assert then["relations"][0]["invalid_at"] is not None
        early = memory.search("Where does alex live?", user_id="alex", as_of=before - timedelta(days=1))
        assert early == {"results": [], "relations": []}
        later = memory.search("Where does alex live?", user_id="alex", as_of=datetime.now(timezone.utc))
        assert [r["memory"] for r in later["results"]] == ["alex lives in Berlin"]
        assert server.calls == {chat: 2}  # searches make no LLM call


def test_saying_the_old_fact_again_is_a_new_memory(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I live in Paris", user_id="alex")
        memory.add("I moved from Paris to Berlin", user_id="alex")
        again = memory.add("I live in Paris", user_id="alex")["results"]  # superseded: not a duplicate
        assert [(r["memory"], r["event"]) for r in again] == [("alex lives in Paris", "ADD")]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_update_replaces_the_text_and_history_keeps_both(server: LLMServer, provider: str) -> None:
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        [pizza] = memory.add("I like pizza", user_id="alex")["results"]
        updated = memory.add("Actually I mostly like pepperoni", user_id="alex", metadata={"topic": "food"})
        assert updated["results"] == [{"id": pizza["id"], "memory": "alex likes pepperoni pizza", "event": "UPDATE",
                                       "previous_memory": "alex likes pizza"}]
        assert server.calls == {ENDPOINT[provider]: 2}
        got = memory.get(pizza["id"])
        assert got is not None and got["memory"] == "alex likes pepperoni pizza"
        assert got["metadata"] == {"topic": "food"} and got["created_at"] == pizza_created(memory, pizza["id"])
        assert [(h["event"], h["old_memory"], h["new_memory"]) for h in memory.history(pizza["id"])] == [
            ("ADD", None, "alex likes pizza"), ("UPDATE", "alex likes pizza", "alex likes pepperoni pizza")]
        assert [r["id"] for r in memory.get_all(user_id="alex")["results"]] == [pizza["id"]]
        found = memory.search("pepperoni pizza", user_id="alex")["results"]
        assert [r["id"] for r in found] == [pizza["id"]]
        assert ("alex", "likes", "pepperoni pizza") in triples(memory.get_all(user_id="alex")["relations"])
        assert memory._run(store_invariants().broken(memory._async)) == {}  # mention counts, links, orphans


def store_invariants() -> Any:
    path = Path(__file__).parents[1] / "reliability" / "invariants.py"
    spec = importlib.util.spec_from_file_location("invariants", path)
    assert spec is not None and spec.loader is not None
    invariants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(invariants)
    return invariants


def pizza_created(memory: Memory, memory_id: str) -> str:
    return str(memory.history(memory_id)[0]["created_at"])


def test_exact_and_near_duplicates_are_none_and_not_returned(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I like pizza", user_id="alex")
        assert memory.add("I like pizza", user_id="alex")["results"] == []      # the same text
        assert memory.add("Pizza is great", user_id="alex")["results"] == []    # "Alex likes pizza.": cosine 1
        assert len(memory.get_all(user_id="alex")["results"]) == 1
        assert server.calls == {"chat": 3}


def crowd(memory: Memory, user_id: str) -> None:
    """Ten memories nearer to the next message than "alex lives in Berlin" is, which the model is not shown."""
    memory.add("alex lives in Berlin", user_id=user_id, infer=False)
    for k in range(10):
        memory.add(f"guess what my home town changed {k}", user_id=user_id, infer=False)


@pytest.mark.parametrize(("provider", "verdict"), [("openai", "UPDATE"), ("openai", "NONE"), ("openai", "DELETE"),
                                                    ("anthropic", "UPDATE")])
def test_a_look_alike_the_model_was_not_shown_costs_one_more_call(server: LLMServer, provider: str,
                                                                 verdict: str) -> None:
    server.script("[f1]", {"verdicts": [{"fact": "f1", "event": verdict, "memory": "m1"}]})
    server.script("guess what my home town changed again", {
        "facts": [fact("alex lives in Berlin now", "alex", "Berlin")],
        "entities": [entity("alex", "person"), entity("Berlin", "location")], "relations": []})
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        crowd(memory, "alex")
        assert server.calls == {}
        results = memory.add("guess what my home town changed again", user_id="alex")["results"]
        assert server.calls == {ENDPOINT[provider]: 2}
        assert server.requests[1].schema is not None and set(server.requests[1].schema["properties"]) == {"verdicts"}
        assert "alex lives in Berlin" not in server.requests[0].text  # not among the ten shown
        assert "[f1] alex lives in Berlin now" in server.requests[1].text
        assert "stored [m1] alex lives in Berlin" in server.requests[1].text
        events = [(r["memory"], r["event"]) for r in results]
        current = {r["memory"] for r in memory.get_all(user_id="alex")["results"]}
    if verdict == "UPDATE":
        assert events == [("alex lives in Berlin now", "UPDATE")]
        assert "alex lives in Berlin now" in current and "alex lives in Berlin" not in current
    elif verdict == "NONE":
        assert events == [] and "alex lives in Berlin" in current
    else:
        assert events == [("alex lives in Berlin now", "ADD"), ("alex lives in Berlin", "DELETE")]
        assert "alex lives in Berlin now" in current and "alex lives in Berlin" not in current


def test_the_second_call_failing_leaves_the_graph_unchanged(server: LLMServer) -> None:
    server.script("[f1]", "not json at all")
    server.script("guess what my home town changed again", {
        "facts": [fact("alex lives in Berlin now", "alex", "Berlin")],
        "entities": [entity("alex", "person"), entity("Berlin", "location")], "relations": []})
    with llm_memory(memory_config(llm_config(server))) as memory:
        crowd(memory, "alex")
        before = memory.get_all(user_id="alex")
        with pytest.raises(ExtractionError, match="after one repair attempt"):
            memory.add("guess what my home town changed again", user_id="alex")
        assert server.calls == {"chat": 3}  # the extraction, the verdicts, their repair
        assert memory.get_all(user_id="alex") == before


@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed_json_on_a_contradiction_leaves_the_graph_unchanged(server: LLMServer, provider: str) -> None:
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        [paris] = memory.add("I live in Paris", user_id="alex")["results"]
        before = (memory.get_all(user_id="alex"), all_relations(memory, "alex"), memory.history(paris["id"]))
        server.fail(Fault.malformed(), Fault.malformed())
        with pytest.raises(ExtractionError, match="after one repair attempt"):
            memory.add("I moved from Paris to Berlin", user_id="alex")
        assert (memory.get_all(user_id="alex"), all_relations(memory, "alex"), memory.history(paris["id"])) == before
        server.fail(Fault.malformed())  # repaired: the add goes through
        assert [r["event"] for r in memory.add("I moved from Paris to Berlin", user_id="alex")["results"]] \
            == ["ADD", "DELETE"]


def entities_of(memory: Memory, user_id: str) -> list[dict[str, Any]]:
    return memory._run(memory._async.backend.read(
        "entity/in_scope", {"user_id": user_id, "agent_id": None, "run_id": None}))


@pytest.mark.parametrize("second", [entity("Robert (Bob)", "person"), entity("Robert", "person", "Bob")])
def test_bob_bob_and_robert_bob_are_one_entity(server: LLMServer, second: dict[str, Any]) -> None:
    server.script("I met Bob", {
        "facts": [fact("alex met Bob", "alex", "Bob"), fact("bob is a chef", "bob")],
        "entities": [entity("alex", "person"), entity("Bob", "person"), entity("bob", "person")],
        "relations": [relation("alex", "met", "bob", "alex met Bob")]})
    name = second["name"]
    server.script("called me", {
        "facts": [fact(f"{name} called alex", name, "alex")],
        "entities": [second, entity("alex", "person")],
        "relations": [relation(name, "called", "alex", f"{name} called alex")]})
    with llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I met Bob. bob is a chef", user_id="alex")
        memory.add("Robert (Bob) called me", user_id="alex")
        people = {e["name"]: e for e in entities_of(memory, "alex")}
        assert set(people) == {"alex", "Bob"}  # the first spelling is kept as the name
        assert people["Bob"]["aliases"] == ["robert"]
        assert triples(memory.get_all(user_id="alex")["relations"]) == {("alex", "met", "Bob"),
                                                                        ("Bob", "called", "alex")}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_procedural_memory_is_one_summary_of_the_steps(server: LLMServer, provider: str) -> None:
    summary = "Task objective: book a flight to Rome.\n1. Agent action: searched flights; result: AZ 123"
    server.script("book a flight", summary)
    steps = [{"role": "user", "content": "Please book a flight to Rome"},
             {"role": "assistant", "content": "Searched flights: AZ 123 at 9:00"}]
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        added = memory.add(steps, agent_id="travel", memory_type="procedural_memory", metadata={"task": "rome"})
        assert server.calls == {ENDPOINT[provider]: 1} and server.requests[0].mode == "text"
        [result] = added["results"]
        assert added == {"results": [{"id": result["id"], "memory": summary, "event": "ADD"}]}
        stored = memory.get(result["id"])
        assert stored is not None and stored["memory_type"] == "procedural_memory"
        assert stored["metadata"] == {"task": "rome"} and stored["agent_id"] == "travel"
        assert memory.search("flight to Rome", agent_id="travel")["results"][0]["id"] == result["id"]


def test_procedural_memory_needs_an_llm() -> None:
    from graphmem import Memory as Offline

    memory = Offline({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}},
                      "embedder": {"provider": "hash"}})
    try:
        with pytest.raises(ConfigError) as caught:
            memory.add("step one", agent_id="a", memory_type="procedural_memory")
        assert caught.value.field == "llm"
    finally:
        memory.close()


def test_as_of_must_be_a_datetime(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory, pytest.raises(ValidationError) as caught:
        memory.search("anything", user_id="alex", as_of="yesterday")  # type: ignore[arg-type]
    assert caught.value.field == "as_of"


def test_a_relation_the_new_fact_states_again_survives_the_supersession(server: LLMServer) -> None:
    acme = "alex lives in Paris and works at Acme"
    server.script("Acme in Paris", {
        "facts": [fact(acme, "alex", "Paris", "Acme")],
        "entities": [entity("alex", "person"), entity("Paris", "location"), entity("Acme", "organization")],
        "relations": [relation("alex", "lives_in", "Paris", acme), relation("alex", "works_at", "Acme", acme)]})
    moved = "alex lives in Berlin and still works at Acme"
    server.script("still at Acme", {
        "facts": [fact(moved, "alex", "Berlin", "Acme", contradicts="m1")],
        "entities": [entity("alex", "person"), entity("Berlin", "location"), entity("Acme", "organization")],
        "relations": [relation("alex", "lives_in", "Berlin", moved), relation("alex", "works_at", "Acme", moved)]})
    with llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I work at Acme in Paris", user_id="alex")
        memory.add("I moved to Berlin, still at Acme", user_id="alex")
        assert triples(memory.get_all(user_id="alex")["relations"]) == {("alex", "lives_in", "Berlin"),
                                                                        ("alex", "works_at", "Acme")}
        ended = {(r["relationship"], r["target"]) for r in all_relations(memory, "alex") if r["invalid_at"]}
        assert ended == {("lives_in", "Paris"), ("works_at", "Acme")}


def test_procedural_memory_without_an_agent_is_an_ordinary_add(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory:
        added = memory.add("I like pizza", user_id="alex", memory_type="procedural_memory")
        assert [(r["memory"], r["event"]) for r in added["results"]] == [("alex likes pizza", "ADD")]
        assert "memory_type" not in memory.get_all(user_id="alex")["results"][0]
