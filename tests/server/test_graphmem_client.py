"""graphmem.MemoryClient / AsyncMemoryClient against a real server: the seed's older call forms
(version="v1"/"v2", top-level user_id), graphmem's extras, feedback, exports, and errors as graphmem's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import graphmem
from graphmem import AuthenticationError, NotFoundError, ValidationError
from graphmem.errors import ConnectionFailedError


def test_older_call_forms_and_extras(server: Any, key_for: Callable[..., str]) -> None:
    with graphmem.MemoryClient(api_key=key_for("acme", "p1"), host=server.url) as client:
        assert client.project_id == "p1"
        added = client.add([{"role": "user", "content": "I love pizza and I work at Google"}], user_id="alex",
                           timestamp=1_700_000_000)
        memory_id = added["results"][0]["id"]
        client.add("My sister lives in Paris", user_id="alex", app_id="travel", infer=False)
        v1 = client.search("pizza", version="v1", user_id="alex")
        v2 = client.search("pizza", version="v2", filters={"AND": [{"user_id": "alex"}]})
        v3 = client.search("pizza", user_id="alex", explain=True, relations=False)
        assert v1["results"][0]["id"] == v2["results"][0]["id"] == v3["results"][0]["id"] == memory_id
        assert v1["relations"] and "relations" not in v3 and "explain" in v3["results"][0]
        assert v1["results"][0]["created_at"].startswith("2023-11-14")  # the timestamp is when it was said
        past = client.search("pizza", user_id="alex", as_of="2023-01-01T00:00:00Z")
        assert past["results"] == []
        assert len(client.get_all(version="v1", user_id="alex")) == 2
        paged = client.get_all(version="v2", filters={"user_id": "alex"}, page=1, page_size=1)
        assert paged["count"] == 2 and paged["next"] and len(paged["results"]) == 1
        apps = client.get_all(user_id="alex", app_id="travel")["results"]
        assert [m["app_id"] for m in apps] == ["travel"]
        users = {(u["type"], u["name"], u["total_memories"]) for u in client.users()["results"]}
        assert users == {("user", "alex", 2), ("app", "travel", 1)}  # alex's memories in both of alex's scopes


def test_feedback_and_exports(server: Any, key_for: Callable[..., str]) -> None:
    with graphmem.MemoryClient(api_key=key_for("acme", "p1"), host=server.url) as client:
        memory_id = client.add("I love pizza", user_id="alex", infer=False)["results"][0]["id"]
        client.feedback(memory_id, "negative", feedback_reason="not any more")
        events = client.history(memory_id)
        assert [e["event"] for e in events] == ["ADD", "FEEDBACK"]
        assert (events[1]["feedback"], events[1]["feedback_reason"]) == ("NEGATIVE", "not any more")
        schema = {"type": "object", "required": ["user_id", "memories"], "properties": {
            "user_id": {"type": "string"},
            "memories": {"type": "array", "items": {"type": "object", "required": ["id", "content"],
                                                    "properties": {"id": {"type": "string"},
                                                                   "content": {"type": "string"}}}}}}
        created = client.create_memory_export(schema=__import__("json").dumps(schema), user_id="alex")
        document = client.get_memory_export(memory_export_id=created["id"])
        assert document == {"user_id": "alex", "memories": [{"id": memory_id, "content": "I love pizza"}]}
        with pytest.raises(ValidationError) as bad:
            client.create_memory_export(schema={"type": 5}, user_id="alex")
        assert bad.value.field == "schema"


def test_key_from_the_environment(server: Any, key_for: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEM0_API_KEY", key_for("acme", "p2"))
    with graphmem.MemoryClient(host=server.url) as client:
        assert client.project_id == "p2"
    monkeypatch.setenv("GRAPHMEM_API_KEY", key_for("acme", "p1"))  # graphmem's name wins
    with graphmem.MemoryClient(host=server.url) as client:
        assert client.project_id == "p1"


def test_a_failed_close_still_stops_the_loop_thread(server: Any, key_for: Callable[..., str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client = graphmem.MemoryClient(api_key=key_for("acme", "p1"), host=server.url)
    aclose = graphmem.AsyncMemoryClient.aclose

    async def failing_aclose(self: graphmem.AsyncMemoryClient) -> None:
        await aclose(self)
        raise OSError("connection reset while closing")

    monkeypatch.setattr(graphmem.AsyncMemoryClient, "aclose", failing_aclose)
    with pytest.raises(OSError, match="connection reset"):
        client.close()
    assert not client._loop.alive()
    client.close()  # closed: nothing more to do


def test_errors_are_graphmems(server: Any, key_for: Callable[..., str]) -> None:
    with pytest.raises(AuthenticationError):
        graphmem.MemoryClient(api_key="gm_nope", host=server.url)
    with pytest.raises(ConnectionFailedError) as down:
        graphmem.MemoryClient(api_key="gm_nope", host="http://127.0.0.1:9")
    assert down.value.url == "http://127.0.0.1:9"

    async def flow() -> None:
        async with graphmem.AsyncMemoryClient(api_key=key_for("acme", "p1"), host=server.url) as client:
            with pytest.raises(NotFoundError):
                await client.get("no-such-id")
            with pytest.raises(ValidationError) as missing:
                await client.add("I love pizza")
            assert missing.value.field == "user_id"
            with pytest.raises(ValidationError):
                await client.feedback("m", "GREAT")

    asyncio.run(flow())
