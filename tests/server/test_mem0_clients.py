"""The official mem0ai 2.2.x clients (MemoryClient, AsyncMemoryClient) against a real graphmem server:
add -> search -> get_all -> get -> update -> history -> batch_update -> batch_delete -> users -> delete_all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from graphmem import Memory

pytestmark = pytest.mark.usefixtures("no_mem0_telemetry")

SAID = [{"role": "user", "content": "I love pizza and I work at Google with Sarah"},
        {"role": "assistant", "content": "Noted!"}]


def _sync_flow(client: Any) -> dict[str, Any]:
    added = client.add(SAID, user_id="alex")
    [first] = [r for r in added["results"] if r["event"] == "ADD"][:1]
    found = client.search("pizza", filters={"user_id": "alex"}, top_k=5)
    listed = client.get_all(filters={"user_id": "alex"}, page=1, page_size=50)
    one = client.get(first["id"])
    client.update(first["id"], text="I love pasta")
    events = client.history(first["id"])
    client.add("My sister lives in Paris", filters={"user_id": "alex"}, infer=False)  # v3's form of the scope
    ids = [m["id"] for m in client.get_all(filters={"user_id": "alex"})["results"]]
    client.batch_update([{"memory_id": ids[0], "text": "I love sushi"}])
    client.batch_delete([{"memory_id": ids[-1]}])
    users = client.users()
    left = client.get_all(filters={"user_id": "alex"})["results"]
    client.delete_all(user_id="alex")
    return {"added": added, "found": found, "listed": listed, "one": one, "history": events, "users": users,
            "left": left, "after": client.get_all(filters={"user_id": "alex"})}


def _check(flow: dict[str, Any], expected: dict[str, Any]) -> None:
    assert [r["memory"] for r in flow["added"]["results"]] == [r["memory"] for r in expected["results"]]
    assert flow["added"]["relations"] == expected["relations"]  # the same graph as Memory() builds
    assert flow["found"]["results"][0]["memory"].startswith("I love pizza")
    assert flow["found"]["results"][0]["user_id"] == "alex"
    assert {r["source"] for r in flow["found"]["relations"]} == {"alex"}
    assert flow["listed"]["count"] == 1 and flow["listed"]["next"] is None
    assert flow["one"]["user_id"] == "alex"
    assert [e["event"] for e in flow["history"]] == ["ADD", "UPDATE"]
    assert flow["history"][1]["new_memory"] == "I love pasta"
    assert [m["memory"] for m in flow["left"]] == ["I love sushi"]
    assert [(u["type"], u["name"], u["total_memories"]) for u in flow["users"]["results"]] == [("user", "alex", 1)]
    assert flow["after"]["results"] == [] and flow["after"]["count"] == 0


def test_official_sync_client(server: Any, key_for: Callable[..., str], config_for: Callable[..., Any],
                              tmp_path: Any) -> None:
    from mem0 import MemoryClient

    client = MemoryClient(api_key=key_for("acme", "p1"), host=server.url)
    assert (client.org_id, client.project_id) == ("acme", "p1")
    try:
        flow = _sync_flow(client)
    finally:
        client.client.close()  # mem0's client has no close() of its own
    with Memory(config_for(":memory:")) as memory:
        expected = memory.add(SAID, user_id="alex")
    _check(flow, expected)


def test_official_async_client(server: Any, key_for: Callable[..., str]) -> None:
    from mem0 import AsyncMemoryClient

    async def flow() -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
        client = AsyncMemoryClient(api_key=key_for("acme", "p1"), host=server.url)
        async with client:
            added = await client.add(SAID, user_id="alex")
            found = await client.search("pizza", filters={"user_id": "alex"})
            memory_id = added["results"][0]["id"]
            await client.update(memory_id, text="I love pasta")
            history = await client.history(memory_id)
            await client.batch_update([{"memory_id": memory_id, "text": "I love ramen"}])
            users = await client.users()
            await client.batch_delete([{"memory_id": memory_id}])
            await client.delete_all(user_id="alex")
            return found, history, {"users": users, "after": await client.get_all(filters={"user_id": "alex"})}

    found, history, rest = asyncio.run(flow())
    assert found["results"][0]["memory"].startswith("I love pizza") and found["relations"]
    assert [e["event"] for e in history] == ["ADD", "UPDATE"]
    assert rest["users"]["results"][0]["name"] == "alex"
    assert rest["after"]["count"] == 0


def test_projects_never_see_each_other(server: Any, key_for: Callable[..., str], request: Any) -> None:
    from mem0 import MemoryClient

    first = MemoryClient(api_key=key_for("acme", "p1"), host=server.url)
    second = MemoryClient(api_key=key_for("acme", "p2"), host=server.url)
    request.addfinalizer(first.client.close)
    request.addfinalizer(second.client.close)
    memory_id = first.add("I love pizza", user_id="alex")["results"][0]["id"]
    assert second.get_all(filters={"user_id": "alex"})["results"] == []
    assert second.search("pizza", filters={"user_id": "alex"})["results"] == []
    assert second.users()["results"] == []
    with pytest.raises(Exception, match="not found"):
        second.get(memory_id)
    with pytest.raises(Exception, match="not found"):
        second.delete(memory_id)
    second.add("I love tea", user_id="alex")
    second.reset()  # the second project's memories only
    assert first.get(memory_id)["memory"] == "I love pizza"
    assert [m["memory"] for m in first.get_all(filters={"user_id": "alex"})["results"]] == ["I love pizza"]
