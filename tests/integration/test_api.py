"""The mem0 API against real Kuzu, in memory and on disk (hash embedder, offline extractor)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from graphmem import Memory, NotFoundError, ValidationError
from graphmem.scope import Scope

SEARCH_KEYS = {"id", "memory", "hash", "metadata", "score", "created_at", "updated_at", "user_id"}
HISTORY_KEYS = {"id", "memory_id", "old_memory", "new_memory", "event", "created_at", "updated_at", "is_deleted",
                "actor_id", "role"}
METADATA = {"nested": {"list": [1, 2.5, None, True, "x"], "deeper": {"k": "v"}}, "unicode": "héllo 😀 用户",
            "quotes": "it's \"quoted\" \\ {braces}", "items": [{"a": 1}, {"b": [2, 3]}], "n": -7, "flag": False}


def remember(memory: Memory, text: str, user: str = "alice", **kwargs: Any) -> str:
    """Store `text` verbatim; return its id."""
    result = memory.add(text, user_id=user, infer=False, **kwargs)
    assert len(result["results"]) == 1, result
    return str(result["results"][0]["id"])


def texts(result: dict[str, Any]) -> list[str]:
    return [r["memory"] for r in result["results"]]


def triples(relations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


# -- add -------------------------------------------------------------------------------------


@pytest.mark.parametrize("messages", [
    "I love pizza",
    {"role": "user", "content": "I love pizza"},
    [{"role": "user", "content": "I love pizza", "name": "alex"}, {"role": "assistant", "content": "Noted."}],
], ids=["string", "dict", "list-with-name"])
def test_add_returns_mem0_shape(any_memory: Memory, messages: Any) -> None:
    result = any_memory.add(messages, user_id="alice")
    assert set(result) == {"results", "relations"}
    assert result["results"]
    for item in result["results"]:
        assert set(item) == {"id", "memory", "event"} and item["event"] == "ADD"
    assert set(result["relations"]) == {"added_entities", "deleted_entities"}
    assert result["relations"]["deleted_entities"] == []
    added = result["relations"]["added_entities"]
    assert added and all(set(r) == {"source", "relationship", "target"} for r in added)
    assert any(r["target"] == "pizza" for r in added)
    stored = any_memory.get_all(user_id="alice")
    assert {r["id"] for r in stored["results"]} == {r["id"] for r in result["results"]}


def test_infer_false_stores_each_non_system_message(memory: Memory) -> None:
    result = memory.add([{"role": "system", "content": "You are terse."},
                         {"role": "user", "content": "My name is Alex", "name": "alex"},
                         {"role": "assistant", "content": "Hello Alex"}], user_id="alice", infer=False)
    assert texts(result) == ["My name is Alex", "Hello Alex"]
    stored = {r["memory"]: r for r in memory.get_all(user_id="alice")["results"]}
    assert set(stored) == {"My name is Alex", "Hello Alex"}
    assert (stored["My name is Alex"]["role"], stored["My name is Alex"]["actor_id"]) == ("user", "alex")
    assert stored["Hello Alex"]["role"] == "assistant" and "actor_id" not in stored["Hello Alex"]


@pytest.mark.parametrize("infer", [True, False])
def test_system_messages_are_not_stored(memory: Memory, infer: bool) -> None:
    memory.add([{"role": "system", "content": "You are a helpful assistant named Botty."},
                {"role": "user", "content": "I live in Paris."}], user_id="alice", infer=infer)
    stored = texts(memory.get_all(user_id="alice"))
    assert stored and not any("helpful assistant" in t or "Botty" in t for t in stored)


@pytest.mark.parametrize("infer", [True, False])
def test_readding_the_same_message_changes_nothing(any_memory: Memory, infer: bool) -> None:
    message = [{"role": "user", "content": "John works at OpenAI."}]
    first = any_memory.add(message, user_id="alice", infer=infer)
    before = any_memory.get_all(user_id="alice")
    again = any_memory.add(message, user_id="alice", infer=infer)
    assert again == {"results": [], "relations": {"added_entities": [], "deleted_entities": []}}
    after = any_memory.get_all(user_id="alice")
    assert len(after["results"]) == len(before["results"]) == len(first["results"])
    assert after["relations"] == before["relations"]
    # Another scope holding the same text is another memory.
    assert any_memory.add(message, user_id="alice", agent_id="bot", infer=infer)["results"]


def test_a_text_deleted_or_updated_away_is_new_again(any_memory: Memory) -> None:
    message = [{"role": "user", "content": "I drive a red car."}]
    [first] = any_memory.add(message, user_id="alice", infer=False)["results"]
    any_memory.update(first["id"], "I drive a blue car.")
    assert any_memory.add([{"role": "user", "content": "I drive a blue car."}], user_id="alice",
                          infer=False)["results"] == []
    [second] = any_memory.add(message, user_id="alice", infer=False)["results"]
    any_memory.delete(second["id"])
    assert [r["memory"] for r in any_memory.add(message, user_id="alice", infer=False)["results"]] == [
        "I drive a red car."]


def test_metadata_round_trips_unchanged(any_memory: Memory) -> None:
    memory_id = remember(any_memory, "I keep my notes in Notion", metadata=METADATA)
    assert any_memory.get(memory_id)["metadata"] == METADATA
    assert any_memory.get_all(user_id="alice")["results"][0]["metadata"] == METADATA
    assert any_memory.search("notes", user_id="alice")["results"][0]["metadata"] == METADATA


@pytest.mark.parametrize("metadata", ["tag", ["a"], {"when": object()}])
def test_bad_metadata_is_refused_before_writing(memory: Memory, metadata: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        memory.add("I like tea", user_id="alice", metadata=metadata)
    assert caught.value.field == "metadata"
    assert memory.get_all(user_id="alice")["results"] == []


@pytest.mark.parametrize("call", [
    lambda m: m.add("I like tea"),
    lambda m: m.search("tea"),
    lambda m: m.get_all(),
    lambda m: m.delete_all(),
    lambda m: m.search("tea", filters={"category": "drinks"}),
], ids=["add", "search", "get_all", "delete_all", "search-filters-without-scope"])
def test_a_scope_id_is_required(memory: Memory, call: Callable[[Memory], Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        call(memory)
    assert caught.value.field == "user_id"
    assert "user_id" in str(caught.value)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"user_id": 42}, "user_id"), ({"user_id": ""}, "user_id"), ({"user_id": "a", "agent_id": ["bot"]}, "agent_id"),
    ({"user_id": "a", "run_id": 1.5}, "run_id"), ({"user_id": "a", "memory_type": "episodic"}, "memory_type"),
    ({"user_id": "a", "prompt": {"AND": [{"topic": "x"}]}}, "prompt"),
])
def test_bad_arguments_name_the_field(memory: Memory, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        memory.add("I like tea", **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize("field", ["agent_id", "run_id"])
def test_agent_only_and_run_only_scopes(memory: Memory, field: str) -> None:
    result = memory.add("Prefers answers in French", **{field: "solo"}, infer=False)
    memory.add("Prefers answers in French", user_id="solo", infer=False)  # same id as a user: another scope
    (stored,) = memory.get_all(**{field: "solo"})["results"]
    assert stored["id"] == result["results"][0]["id"] and stored[field] == "solo" and "user_id" not in stored
    assert [r["id"] for r in memory.search("French", **{field: "solo"})["results"]] == [stored["id"]]


# -- search ----------------------------------------------------------------------------------


@pytest.fixture
def foods(any_memory: Memory) -> Memory:
    for text in ("I love pizza with olives", "Pizza on Fridays is a family tradition", "I hate broccoli",
                 "My sister lives in Rome", "Coffee before 9am, never after"):
        remember(any_memory, text)
    remember(any_memory, "Bob loves pizza too", user="bob")
    return any_memory


def test_search_shape_order_and_scores(foods: Memory) -> None:
    found = foods.search("pizza", user_id="alice")
    assert set(found) == {"results", "relations"} and isinstance(found["relations"], list)
    results = found["results"]
    assert {r["memory"] for r in results[:2]} == {"I love pizza with olives", "Pizza on Fridays is a family tradition"}
    for record in results:
        assert set(record) >= SEARCH_KEYS
        assert record["user_id"] == "alice"
        assert record["hash"] == hashlib.md5(record["memory"].encode()).hexdigest()
        assert 0.0 <= record["score"] <= 1.0
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_search_limit_and_mem0_v2_form(foods: Memory) -> None:
    assert len(foods.search("pizza", user_id="alice", limit=2)["results"]) == 2
    results = foods.search("pizza", filters={"user_id": "alice"}, top_k=3)["results"]
    assert len(results) == 3 and {r["user_id"] for r in results} == {"alice"}
    assert len(foods.get_all(filters={"user_id": "alice"}, top_k=2)["results"]) == 2
    assert len(foods.get_all(user_id="alice", limit=1)["results"]) == 1


def test_search_limit_zero_returns_nothing(foods: Memory) -> None:
    assert foods.search("pizza", user_id="alice", limit=0)["results"] == []


def test_search_threshold(foods: Memory) -> None:
    everything = foods.search("pizza", user_id="alice")["results"]
    cut = (everything[1]["score"] + everything[2]["score"]) / 2
    kept = foods.search("pizza", user_id="alice", threshold=cut)["results"]
    assert kept == everything[:2]
    assert foods.search("pizza", user_id="alice", threshold=0)["results"] == everything


def test_threshold_equal_to_a_returned_score_keeps_it(foods: Memory) -> None:
    everything = foods.search("pizza", user_id="alice")["results"]
    for record in everything:
        kept = foods.search("pizza", user_id="alice", threshold=record["score"])["results"]
        assert [r["id"] for r in kept] == [r["id"] for r in everything if r["score"] >= record["score"]]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"query": ""}, "query"), ({"query": "  "}, "query"), ({"query": 3}, "query"),
    ({"threshold": 1.5}, "threshold"), ({"threshold": -0.1}, "threshold"), ({"threshold": "high"}, "threshold"),
    ({"limit": -1}, "limit"), ({"limit": "5"}, "limit"), ({"top_k": True}, "top_k"),
    ({"filters": {"rating": {"like": 3}}}, "filters"),
])
def test_search_validation_names_the_field(memory: Memory, kwargs: dict[str, Any], field: str) -> None:
    call = {"query": "pizza", "user_id": "alice", **kwargs}
    with pytest.raises(ValidationError) as caught:
        memory.search(call.pop("query"), **call)
    assert caught.value.field == field


def test_explain_adds_per_signal_scores(foods: Memory) -> None:
    plain = foods.search("pizza", user_id="alice")["results"]
    explained = foods.search("pizza", user_id="alice", explain=True)["results"]
    assert all("explain" not in r for r in plain)
    assert [r["id"] for r in explained] == [r["id"] for r in plain]
    for record in explained:
        assert record["explain"] and set(record["explain"]) <= {"vector", "keyword", "graph", "context", "feedback",
                                                                "named", "time", "list", "fused"}
        assert all(isinstance(v, float) for v in record["explain"].values())
    assert "keyword" in explained[0]["explain"]


def test_a_named_speaker_lifts_what_they_said_even_as_a_hub(memory: Memory) -> None:
    # Caroline is named in 60 memories (a hub: the graph signal leaves her out); the query names her.
    turns = [f"{who}: I went to the lake trail again, walk number {i}" for i in range(60) for who in ("Caroline",
                                                                                                     "Melanie")]
    memory.add([{"role": "user", "content": t} for t in turns], user_id="pair", infer=False)
    results = memory.search("Where did Caroline walk?", user_id="pair", limit=10, explain=True)["results"]
    assert results[0]["memory"].startswith("Caroline:")
    for record in results:  # (Melanie's replies may come in through the conversation-context lift)
        assert (record["explain"].get("named", 0) > 0) == record["memory"].startswith("Caroline:")



def test_what_a_named_speaker_says_outranks_the_other_speakers_questions(memory: Memory) -> None:
    # The questions repeat the query's words; the answers are Melanie's, told sessions apart.
    turns = ["Caroline: Melanie, where do you go camping with your family?",
             "Melanie: At the beach, we love camping there with the kids.",
             "Caroline: I camped in the mountains once, with my family too.",
             *[f"Caroline: Wow, what was camping with your family like on trip {i}?" for i in range(6)],
             "Melanie: We camped in the forest last summer with my family."]
    memory.add([{"role": "user", "content": t} for t in turns], user_id="pair", infer=False)
    found = texts(memory.search("Where has Melanie camped with her family?", user_id="pair", limit=3))
    assert set(found[:2]) == {turns[1], turns[-1]}


@pytest.mark.parametrize(("weights", "first"), [
    ({}, "Melanie: I cooked a curry."),
    ({"question_weight": 1.0, "other_speaker_weight": 1.0}, "Caroline: What did you cook, Melanie?"),
], ids=["reweighed", "off"])
def test_form_weights_of_one_turn_the_reweighing_off(config_for: Callable[..., dict[str, Any]],
                                                     weights: dict[str, float], first: str) -> None:
    turns = ["Caroline: What did you cook, Melanie?", "Melanie: I cooked a curry."]
    with Memory(config_for(":memory:") | {"search": weights}) as memory:
        memory.add([{"role": "user", "content": t} for t in turns], user_id="pair", infer=False)
        assert texts(memory.search("What did Melanie cook?", user_id="pair", limit=2))[0] == first

# -- metadata filters ------------------------------------------------------------------------

NOTES = {
    "lunch": {"cat": "food", "rating": 5, "tags": ["veg", "cheap"]},
    "trip": {"cat": "travel", "rating": 3, "tags": ["far"]},
    "mall": {"cat": "Food court", "rating": 1},
}


@pytest.mark.parametrize(("filters", "expected"), [
    ({"cat": "food"}, {"lunch"}),
    ({"cat": {"eq": "travel"}}, {"trip"}),
    ({"rating": {"ne": 5}}, {"trip", "mall"}),
    ({"rating": {"gt": 3}}, {"lunch"}),
    ({"rating": {"gte": 3}}, {"lunch", "trip"}),
    ({"rating": {"lt": 3}}, {"mall"}),
    ({"rating": {"lte": 3}}, {"trip", "mall"}),
    ({"cat": {"in": ["food", "travel"]}}, {"lunch", "trip"}),
    ({"cat": {"nin": ["food"]}}, {"trip", "mall"}),
    ({"tags": {"contains": "veg"}}, {"lunch"}),
    ({"cat": {"icontains": "FOOD"}}, {"lunch", "mall"}),
    ({"tags": "*"}, {"lunch", "trip"}),
    ({"OR": [{"cat": "travel"}, {"rating": 1}]}, {"trip", "mall"}),
    ({"AND": [{"rating": {"gt": 1}}, {"rating": {"lte": 3}}]}, {"trip"}),
    ({"NOT": [{"cat": "food"}]}, {"trip", "mall"}),
    ({"user_id": "alice", "cat": "travel"}, {"trip"}),
])
def test_metadata_filters_on_search_and_get_all(memory: Memory, filters: dict[str, Any], expected: set[str]) -> None:
    for name, metadata in NOTES.items():
        remember(memory, f"note about the {name}", metadata=metadata)
        remember(memory, f"note about the {name}", user="bob", metadata=metadata)
    listed = {r["memory"].rsplit(" ", 1)[1] for r in memory.get_all(user_id="alice", filters=filters)["results"]}
    found = memory.search("note about the", user_id="alice", filters=filters)["results"]
    assert listed == expected
    assert {r["memory"].rsplit(" ", 1)[1] for r in found} == expected
    assert {r["user_id"] for r in found} <= {"alice"}


# -- get, update, delete, history ------------------------------------------------------------


def test_get_and_get_all(memory: Memory) -> None:
    first = remember(memory, "I play the cello")
    second = remember(memory, "I study medicine")
    record = memory.get(first)
    assert record is not None and record["id"] == first and record["memory"] == "I play the cello"
    assert record["user_id"] == "alice" and record["created_at"] and record["updated_at"] is None
    assert memory.get("no-such-id") is None
    listed = memory.get_all(user_id="alice")
    assert set(listed) == {"results", "relations"}
    assert [r["id"] for r in listed["results"]] == [second, first]  # newest first
    assert memory.get_all(user_id="nobody") == {"results": [], "relations": []}


def test_get_all_returns_relations(memory: Memory) -> None:
    memory.add("John works at OpenAI.", user_id="alice")
    relations = memory.get_all(user_id="alice")["relations"]
    assert ("John", "works_at", "OpenAI") in triples(relations)
    assert all(r["destination"] == r["target"] for r in relations)
    assert memory.get_all(user_id="bob")["relations"] == []


def test_update(any_memory: Memory) -> None:
    memory_id = remember(any_memory, "I like apples", metadata={"src": "chat"})
    created = any_memory.get(memory_id)["created_at"]
    assert any_memory.update(memory_id, "I adore kiwis") == {"message": "Memory updated successfully!"}
    record = any_memory.get(memory_id)
    assert record["memory"] == "I adore kiwis" and record["metadata"] == {"src": "chat"}
    assert record["hash"] == hashlib.md5(b"I adore kiwis").hexdigest()
    assert record["created_at"] == created and record["updated_at"] >= created
    assert any_memory.search("kiwis", user_id="alice")["results"][0]["id"] == memory_id
    assert texts(any_memory.get_all(user_id="alice")) == ["I adore kiwis"]
    any_memory.update(memory_id, "I adore kiwis", metadata={"src": "edit"})
    assert any_memory.get(memory_id)["metadata"] == {"src": "edit"}


def test_delete(any_memory: Memory) -> None:
    memory_id = remember(any_memory, "John works at OpenAI.")
    assert any_memory.delete(memory_id) == {"message": "Memory deleted successfully!"}
    assert any_memory.get(memory_id) is None
    assert any_memory.get_all(user_id="alice") == {"results": [], "relations": []}
    assert any_memory.search("John OpenAI", user_id="alice")["results"] == []


@pytest.mark.parametrize("call", [lambda m: m.update("no-such-id", "text"), lambda m: m.delete("no-such-id")],
                         ids=["update", "delete"])
def test_unknown_id_is_not_found(memory: Memory, call: Callable[[Memory], Any]) -> None:
    remember(memory, "something")
    with pytest.raises(NotFoundError) as caught:
        call(memory)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("memory_id", ["", "  ", None, 5])
def test_bad_memory_id_names_the_field(memory: Memory, memory_id: Any) -> None:
    for call in (memory.get, memory.delete, memory.history, lambda i: memory.update(i, "text")):
        with pytest.raises(ValidationError) as caught:
            call(memory_id)
        assert caught.value.field == "memory_id"


def test_history_records_add_update_delete(any_memory: Memory) -> None:
    memory_id = remember(any_memory, "I live in Lyon")
    any_memory.update(memory_id, "I live in Nantes")
    any_memory.delete(memory_id)
    events = any_memory.history(memory_id)
    assert all(set(e) == HISTORY_KEYS for e in events)
    assert [(e["event"], e["old_memory"], e["new_memory"], e["is_deleted"]) for e in events] == [
        ("ADD", None, "I live in Lyon", False),
        ("UPDATE", "I live in Lyon", "I live in Nantes", False),
        ("DELETE", "I live in Nantes", None, True),
    ]
    assert {e["memory_id"] for e in events} == {memory_id}
    assert [e["created_at"] for e in events] == sorted(e["created_at"] for e in events)
    assert events[0]["role"] == "user"
    assert any_memory.history("no-such-id") == []


def test_delete_all_touches_only_the_given_user(any_memory: Memory) -> None:
    any_memory.add("I love pizza.", user_id="alice")
    doomed = [r["id"] for r in any_memory.get_all(user_id="alice")["results"]]
    any_memory.add("John works at OpenAI.", user_id="bob")
    bob_before = any_memory.get_all(user_id="bob")
    assert any_memory.delete_all(user_id="alice") == {"message": "Memories deleted successfully!"}
    assert any_memory.get_all(user_id="alice") == {"results": [], "relations": []}
    assert any_memory.search("pizza", user_id="alice")["results"] == []
    assert any_memory.get_all(user_id="bob") == bob_before and bob_before["relations"]
    assert texts(any_memory.search("OpenAI", user_id="bob")) == ["John works at OpenAI."]
    assert [e["event"] for e in any_memory.history(doomed[0])][-1] == "DELETE"


def test_delete_all_by_agent(memory: Memory) -> None:
    remember(memory, "fact for bot one", agent_id="one")
    remember(memory, "fact for bot two", agent_id="two")
    remember(memory, "fact for no bot")
    remember(memory, "bob's fact for bot one", user="bob", agent_id="one")
    memory.delete_all(agent_id="one")
    assert sorted(texts(memory.get_all(user_id="alice"))) == ["fact for bot two", "fact for no bot"]
    assert memory.get_all(user_id="bob")["results"] == []
    assert memory.get_all(agent_id="one")["results"] == []


def test_reset_wipes_everything_and_memory_stays_usable(any_memory: Memory) -> None:
    any_memory.add("John works at OpenAI.", user_id="alice")
    remember(any_memory, "Bob's note", user="bob", agent_id="bot", run_id="r1")
    assert any_memory.reset() is None
    for scope in ({"user_id": "alice"}, {"user_id": "bob"}, {"agent_id": "bot"}, {"run_id": "r1"}):
        assert any_memory.get_all(**scope) == {"results": [], "relations": []}
    assert any_memory.search("John", user_id="alice") == {"results": [], "relations": []}
    remember(any_memory, "after the reset")
    assert texts(any_memory.search("reset", user_id="alice")) == ["after the reset"]


def test_inferred_facts_keep_the_role_of_their_message(memory: Memory) -> None:
    # An assistant's words are memories of an agent the add names (as mem0's agent memories).
    memory.add([{"role": "user", "content": "I'm a vegetarian."},
                {"role": "assistant", "content": "Paris is the capital of France."}], user_id="alice", agent_id="bot")
    roles = {r["memory"]: r.get("role") for r in memory.get_all(user_id="alice")["results"]}
    assert roles == {"I'm a vegetarian.": "user", "Paris is the capital of France.": "assistant"}


def test_an_assistants_words_are_no_memories_of_the_user(memory: Memory) -> None:
    memory.add([{"role": "user", "content": "I'm a vegetarian."},
                {"role": "assistant", "content": "Got it! I'll remember your food preferences."}], user_id="alice")
    assert [r["memory"] for r in memory.get_all(user_id="alice")["results"]] == ["I'm a vegetarian."]


def test_every_memory_of_a_batch_add_is_found_by_keyword(any_memory: Memory, user: str) -> None:
    # Regression: memories created through one UNWIND were missing from Kuzu's full-text index (no longer used).
    fruits = ["apples are red", "bananas are yellow", "grapes are purple", "kiwis are green"]
    any_memory.add([{"role": "user", "content": t} for t in fruits], user_id=user, infer=False)
    backend = any_memory._async.backend
    for text in fruits:
        word = text.split()[0]
        rows = any_memory._run(backend.keyword_search(word, 10, Scope.of(user, None, None)))
        assert len(rows) == 1, word
