"""Reconciliation and `as_of` on every backend: the scripted LLMServer answers, the backend stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from contract_support import memory_config

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer


def _fact(text: str, *entities: str, updates: str | None = None, contradicts: str | None = None) -> dict[str, Any]:
    return {"text": text, "entities": list(entities), "updates": updates, "contradicts": contradicts}


def _answer(text: str, place: str, **verdict: str) -> dict[str, Any]:
    return {"facts": [_fact(text, "alex", place, **verdict)],
            "entities": [{"name": "alex", "type": "person", "aliases": []},
                         {"name": place, "type": "location", "aliases": []}],
            "relations": [{"source": "alex", "relation": "lives_in", "target": place, "fact": text,
                           "valid_at": None}]}


@pytest.fixture
def llm_mem(graph_store: dict[str, Any]) -> Iterator[tuple[Memory, LLMServer]]:
    script = {"I live in Paris": _answer("alex lives in Paris", "Paris"),
              "moved to Berlin": _answer("alex lives in Berlin", "Berlin", contradicts="m1"),
              "Berlin Mitte": _answer("alex lives in Berlin Mitte", "Berlin", updates="m1")}
    with LLMServer(script) as server:
        llm = {"provider": "openai", "config": {"openai_base_url": server.openai_base_url, "api_key": "test",
                                                "retry_delay": 0.0}}
        with Memory({**memory_config(graph_store), "llm": llm}) as memory:
            yield memory, server


def test_contradiction_update_and_as_of(llm_mem: tuple[Memory, LLMServer]) -> None:
    memory, server = llm_mem
    [paris] = memory.add("I live in Paris", user_id="alex")["results"]
    before = datetime.now(timezone.utc)
    moved = memory.add("I moved to Berlin", user_id="alex")["results"]
    assert [(r["memory"], r["event"]) for r in moved] == [("alex lives in Berlin", "ADD"),
                                                          ("alex lives in Paris", "DELETE")]
    [berlin] = [r for r in moved if r["event"] == "ADD"]
    updated = memory.add("Berlin Mitte, to be exact", user_id="alex")["results"]
    assert updated == [{"id": berlin["id"], "memory": "alex lives in Berlin Mitte", "event": "UPDATE",
                        "previous_memory": "alex lives in Berlin"}]
    assert server.calls == {"chat": 3}

    now = memory.search("where does alex live", user_id="alex")
    assert [r["memory"] for r in now["results"]] == ["alex lives in Berlin Mitte"]
    assert {r["target"] for r in now["relations"]} == {"Berlin"}
    then = memory.search("where does alex live", user_id="alex", as_of=before)
    assert [r["memory"] for r in then["results"]] == ["alex lives in Paris"]
    assert [(r["target"], r["invalid_at"] is not None) for r in then["relations"]] == [("Paris", True)]
    assert [h["event"] for h in memory.history(paris["id"])] == ["ADD", "DELETE"]
    assert [h["event"] for h in memory.history(berlin["id"])] == ["ADD", "UPDATE"]
    assert [r["memory"] for r in memory.get_all(user_id="alex")["results"]] == ["alex lives in Berlin Mitte"]
    assert server.calls == {"chat": 3}


def test_an_older_contradiction_is_stored_as_history(llm_mem: tuple[Memory, LLMServer]) -> None:
    """Adds out of time order: the fact said earlier (imported later) ends when the newer one began."""
    memory, server = llm_mem
    server.script("Home is Berlin", _answer("alex lives in Berlin", "Berlin"))
    server.script("Years ago: Paris", _answer("alex lives in Paris", "Paris", contradicts="m1"))
    said = [datetime(2023, 1, 1, tzinfo=timezone.utc), datetime(2024, 6, 1, tzinfo=timezone.utc)]
    [berlin] = memory.add("Home is Berlin", user_id="alex", timestamp=said[1])["results"]
    [paris] = memory.add("Years ago: Paris", user_id="alex", timestamp=said[0])["results"]
    assert (paris["memory"], paris["event"], paris["invalid_at"]) == ("alex lives in Paris", "ADD",
                                                                     "2024-06-01T00:00:00.000000+00:00")
    views = [memory.search("where does alex live", user_id="alex", as_of=datetime(year, 12, 1, tzinfo=timezone.utc))
             for year in (2022, 2023, 2024)]
    assert [[r["memory"] for r in v["results"]] for v in views] == [[], ["alex lives in Paris"],
                                                                    ["alex lives in Berlin"]]
    assert [{r["target"] for r in v["relations"]} for v in views] == [set(), {"Paris"}, {"Berlin"}]
    assert [r["id"] for r in memory.search("where does alex live", user_id="alex")["results"]] == [berlin["id"]]
    assert [r["id"] for r in memory.get_all(user_id="alex")["results"]] == [berlin["id"]]
    assert [h["event"] for h in memory.history(paris["id"])] == ["ADD", "DELETE"]
    assert [h["event"] for h in memory.history(berlin["id"])] == ["ADD"]
