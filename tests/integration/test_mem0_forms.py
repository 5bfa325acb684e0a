"""mem0 2.x call forms and filter spellings, run as mem0's docs write them, on real Kuzu (hash embedder)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from graphmem import AsyncMemory, Memory, ValidationError

TODAY = datetime.now(timezone.utc).date()


def remember(memory: Memory, text: str, user: str = "alice", **kwargs: Any) -> str:
    result = memory.add(text, user_id=user, infer=False, **kwargs)
    return str(result["results"][0]["id"])


def texts(result: dict[str, Any]) -> set[str]:
    return {r["memory"] for r in result["results"]}


@pytest.fixture
def study(memory: Memory) -> Memory:
    """The docs' study assistant: sessions tagged by type and score."""
    remember(memory, "Studied calculus limits for two hours", metadata={"type": "study_session", "score": 8})
    remember(memory, "Reviewed physics notes on momentum", metadata={"type": "study_session", "score": 5})
    remember(memory, "Chatted about weekend hiking plans", metadata={"type": "chat", "score": 2})
    remember(memory, "Studied chemistry with a friend", user="bob", metadata={"type": "study_session"})
    return memory


@pytest.mark.parametrize("filters", [
    {"user_id": "alice", "metadata.type": "study_session"},
    {"user_id": "alice", "metadata": {"type": "study_session"}},
    {"user_id": "alice", "type": "study_session"},
    {"user_id": "alice", "type": {"$eq": "study_session"}},
    {"user_id": "alice", "AND": [{"metadata.type": "study_session"}, {"score": {"$gte": 5}}]},
    {"user_id": "alice", "$not": [{"type": "chat"}]},
])
def test_study_sessions_in_every_spelling(study: Memory, filters: dict[str, Any]) -> None:
    sessions = {"Studied calculus limits for two hours", "Reviewed physics notes on momentum"}
    assert texts(study.get_all(filters=filters)) == sessions
    assert texts(study.search("studied", filters=filters)) <= sessions
    assert texts(study.search("studied", filters=filters))


def test_operators_and_missing_keys(study: Memory) -> None:
    assert texts(study.get_all(filters={"user_id": "alice", "score": {"$gt": 6}})) == {
        "Studied calculus limits for two hours"}
    assert texts(study.get_all(filters={"user_id": "alice", "type": {"$in": ["chat"]}})) == {
        "Chatted about weekend hiking plans"}
    assert study.get_all(filters={"user_id": "alice", "nobody_sets_this": "x"})["results"] == []
    assert study.search("studied", filters={"user_id": "alice", "metadata.nope": "*"})["results"] == []


def test_scope_keys_inside_or_narrow_the_scope(study: Memory) -> None:
    both = {"user_id": "alice", "OR": [{"user_id": "bob"}, {"type": "chat"}]}
    assert texts(study.get_all(filters=both)) == {"Chatted about weekend hiking plans"}  # never bob's rows


@pytest.mark.parametrize("filters", [["type"], "type", 3, {"user_id": "alice", "topic": {}},
                                     {"user_id": "alice", 1: "a"}, {"user_id": "alice", "t": {"$regex": "a"}}])
def test_bad_filters_are_typed_errors(study: Memory, filters: Any) -> None:
    for call in (lambda: study.get_all(user_id="alice", filters=filters),
                 lambda: study.search("x", user_id="alice", filters=filters)):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.field == "filters"


def test_filtered_get_all_pages_past_the_first_read(memory: Memory) -> None:
    for i in range(6):
        remember(memory, f"note {i}", metadata={"keep": i < 2})
    assert texts(memory.get_all(user_id="alice", filters={"keep": True}, top_k=2)) == {"note 0", "note 1"}


# -- update ----------------------------------------------------------------------------------


def test_update_forms(memory: Memory) -> None:
    memory_id = remember(memory, "I like tea", metadata={"src": "chat", "archived": False})
    memory.update(memory_id, text="I like green tea")
    assert memory.get(memory_id)["memory"] == "I like green tea"
    memory.update(memory_id, metadata={"archived": True, "user_id": "mallory"})  # the docs' archive example
    record = memory.get(memory_id)
    assert record["memory"] == "I like green tea"  # the text is kept
    assert record["metadata"] == {"src": "chat", "archived": True}  # merged, as mem0; scope ids are no metadata
    assert record["user_id"] == "alice"
    memory.update(memory_id, "I like black tea")  # data, positionally, as before
    memory.update(memory_id, data="I like oolong")
    assert memory.get(memory_id)["memory"] == "I like oolong"
    assert [e["event"] for e in memory.history(memory_id)] == ["ADD", "UPDATE", "UPDATE", "UPDATE", "UPDATE"]
    assert memory.get_all(user_id="alice", filters={"archived": True})["results"][0]["id"] == memory_id


@pytest.mark.parametrize(("kwargs", "field"), [({}, "text"), ({"text": ""}, "text"), ({"data": 3}, "data"),
                                               ({"expiration_date": "soon"}, "expiration_date"),
                                               ({"metadata": "x"}, "metadata")])
def test_bad_updates_name_the_field(memory: Memory, kwargs: dict[str, Any], field: str) -> None:
    memory_id = remember(memory, "I like tea")
    with pytest.raises(ValidationError) as caught:
        memory.update(memory_id, **kwargs)
    assert caught.value.field == field


# -- expiration, mem0 keywords ---------------------------------------------------------------


def test_expired_memories_leave_search_and_get_all(memory: Memory) -> None:
    yesterday, tomorrow = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
    old = remember(memory, "Promo code SPRING expires", expiration_date=yesterday.isoformat())
    at_noon = datetime.combine(tomorrow, datetime.min.time()).replace(hour=12)
    live = remember(memory, "Promo code SUMMER is valid", expiration_date=at_noon)
    assert memory.get(old)["expiration_date"] == yesterday.isoformat()
    assert memory.get(old)["metadata"] is None  # the date is returned beside the metadata, as mem0
    assert texts(memory.get_all(user_id="alice")) == {"Promo code SUMMER is valid"}
    assert [r["id"] for r in memory.search("promo code", user_id="alice")["results"]] == [live]
    assert len(memory.get_all(user_id="alice", show_expired=True)["results"]) == 2
    assert len(memory.search("promo code", user_id="alice", show_expired=True)["results"]) == 2
    memory.update(old, expiration_date=None)  # cleared: back in view
    assert len(memory.get_all(user_id="alice")["results"]) == 2
    memory.update(live, expiration_date=date(2000, 1, 1))
    assert texts(memory.get_all(user_id="alice")) == {"Promo code SPRING expires"}


def test_a_bad_expiration_date_names_the_field(memory: Memory) -> None:
    with pytest.raises(ValidationError) as caught:
        memory.add("x", user_id="alice", infer=False, expiration_date="31/12/2030")
    assert caught.value.field == "expiration_date"


def test_mem0_keywords_that_change_nothing(memory: Memory) -> None:
    ignored = {"output_format": "v1.1", "version": "v2", "async_mode": False, "includes": "x", "excludes": "y"}
    remember(memory, "I like tea", **ignored)
    assert texts(memory.search("tea", user_id="alice", rerank=False, **ignored)) == {"I like tea"}
    assert texts(memory.get_all(user_id="alice", top_k=1, **ignored)) == {"I like tea"}
    with pytest.raises(ValidationError) as caught:
        memory.get_all(user_id="alice", colour="red")
    assert caught.value.field == "colour"


def test_async_forms(tmp_path: Any, config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario() -> list[str]:
        memory = AsyncMemory(config_for(tmp_path / "db"))
        try:
            added = await memory.add("I like tea", user_id="alice", infer=False, expiration_date="2999-01-01")
            await memory.update(added["results"][0]["id"], metadata={"topic": "drinks"})
            got = await memory.get_all(filters={"user_id": "alice", "metadata.topic": "drinks"}, top_k=5)
            return [r["expiration_date"] for r in got["results"]]
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["2999-01-01"]


def _deep_metadata(depth: int) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for _ in range(depth):
        metadata = {"a": metadata}
    return metadata


@pytest.mark.parametrize("metadata", [{1: "a"}, {"a": 1, 2: "b"}, {"a": {3: "c"}}, {"a": [{None: 1}]},
                                      {"a": object()}, {"a": {1, 2}}, _deep_metadata(40), _deep_metadata(5000),
                                      ["a"], "a"])
def test_bad_metadata_is_refused_before_any_write(memory: Memory, metadata: Any) -> None:
    for call in (lambda: memory.add("I like tea", user_id="alice", infer=False, metadata=metadata),
                 lambda: memory.update(remember(memory, "I like coffee"), metadata=metadata)):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.field == "metadata"
    assert texts(memory.get_all(user_id="alice")) <= {"I like coffee"}


def test_an_id_given_twice_must_agree(memory: Memory) -> None:
    remember(memory, "I like tea")
    assert texts(memory.get_all(user_id="alice", filters={"user_id": "alice"})) == {"I like tea"}
    for call in (lambda: memory.get_all(user_id="alice", filters={"user_id": "bob"}),
                 lambda: memory.search("tea", user_id="alice", filters={"user_id": "bob"})):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.field == "user_id"
