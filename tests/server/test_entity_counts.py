"""The server's users() (mem0's entities) counts each user, agent, app and run over the scopes it is part of, for
the tenant's own scopes only, in one read of the store whatever the number of users (Service over a real Kuzu)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphmem import AsyncMemory
from graphmem.server.service import Service
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Tenant
from graphmem.server.webhooks import Dispatcher

P1, P2 = Tenant("k1", "acme", "p1"), Tenant("k2", "acme", "p2")
ALEX_ONLY = Tenant("k3", "acme", "p1", user_ids=("alex",))  # a key restricted to one user of p1
# (tenant, scope ids as a client names them, memories added there)
SCOPES = [
    (P1, {"user_id": "alex"}, 2),
    (P1, {"user_id": "alex", "agent_id": "bot"}, 1),
    (P1, {"user_id": "alex", "run_id": "r1"}, 1),
    (P1, {"user_id": "sam", "agent_id": "bot"}, 1),
    (P1, {"user_id": "sam", "app_id": "travel"}, 1),
    (P1, {"agent_id": "bot"}, 1),
    (P2, {"user_id": "alex"}, 3),
    (P2, {"agent_id": "bot"}, 1),
]


def counted(listed: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(u["type"], u["name"], u["total_memories"]) for u in listed["results"]}


def add_memories(service: Service, tenant: Tenant, ids: dict[str, Any], n: int, **options: Any) -> Any:
    return asyncio.gather(*(service.add(tenant, f"note {i} of {sorted(ids.items())}", ids, None, infer=False,
                                        **options) for i in range(n)))


def run_service(tmp_path: Path, config_for: Callable[..., dict[str, Any]],
                scenario: Callable[[Service, list[str]], Any]) -> Any:
    """`scenario(service, reads)` on a Service over a real Kuzu store; `reads` names every backend read from then."""
    async def main() -> Any:
        memory = AsyncMemory(config_for(tmp_path / "db"))
        state = ServerState(tmp_path / "state.sqlite3")
        service = Service(memory, state, Dispatcher(state))
        reads: list[str] = []
        backend_read = memory.backend.read

        async def read(name: str, params: dict[str, Any]) -> Any:
            reads.append(name)
            return await backend_read(name, params)

        try:
            memory.backend.read = read  # type: ignore[method-assign]
            return await scenario(service, reads)
        finally:
            await service.close()
            await memory.close()
            state.close()

    return asyncio.run(main())


def test_users_sum_each_entitys_scopes_per_tenant_in_one_read(tmp_path: Path,
                                                              config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(service: Service, reads: list[str]) -> dict[str, Any]:
        for tenant, ids, n in SCOPES:
            await add_memories(service, tenant, ids, n)
        await add_memories(service, P1, {"user_id": "alex"}, 1, expiration_date="2000-01-01")  # expired: not counted
        lists = {}
        for name, tenant in (("p1", P1), ("p2", P2), ("alex only", ALEX_ONLY)):
            reads.clear()
            lists[name] = await service.users(tenant)
            assert reads == ["graph/scope_sizes"]
        # Each total is what listing that entity's memories finds (what users() read before, one get_all each).
        for user in lists["p1"]["results"]:
            listed = await service.list_memories(P1, {f"{user['type']}_id": user["name"]}, None)
            assert len(listed["results"]) == user["total_memories"]
        return lists

    lists = run_service(tmp_path, config_for, scenario)
    assert counted(lists["p1"]) == {("user", "alex", 4), ("user", "sam", 2), ("agent", "bot", 3),
                                    ("app", "travel", 1), ("run", "r1", 1)}
    assert counted(lists["p2"]) == {("user", "alex", 3), ("agent", "bot", 1)}
    assert counted(lists["alex only"]) == {("user", "alex", 4), ("agent", "bot", 1), ("run", "r1", 1)}
    assert lists["p1"]["count"] == 5 and (lists["p1"]["next"], lists["p1"]["previous"]) == (None, None)
    assert lists["p1"]["results"][0] == {"id": "bot", "name": "bot", "type": "agent", "total_memories": 3,
                                         "owner": "k1", "organization": "acme", "project": "p1", "metadata": None}


@pytest.mark.parametrize("users", [1, 40])
def test_users_reads_the_store_once_however_many_users(tmp_path: Path, config_for: Callable[..., dict[str, Any]],
                                                       users: int) -> None:
    async def scenario(service: Service, reads: list[str]) -> tuple[int, list[str]]:
        for i in range(users):
            await add_memories(service, P1, {"user_id": f"user-{i}", "agent_id": "bot"}, 1)
        reads.clear()
        listed = await service.users(P1)
        return len(listed["results"]), list(reads)

    assert run_service(tmp_path, config_for, scenario) == (users + 1, ["graph/scope_sizes"])


def test_a_metadata_update_keeps_a_text_update_made_meanwhile(tmp_path: Path,
                                                              config_for: Callable[..., dict[str, Any]]) -> None:
    """The server checks a memory's owner before updating it; a text update landing between that read and the
    metadata update must stay (the metadata update once sent the text it had read, and put it back)."""
    async def scenario(service: Service, reads: list[str]) -> tuple[str, list[tuple[Any, Any]], dict[str, Any]]:
        await add_memories(service, P1, {"user_id": "alex"}, 1)
        [memory_id] = [m["id"] for m in (await service.list_memories(P1, {"user_id": "alex"}, None))["results"]]
        memory = service.memory
        read_owner = memory.get

        async def owner_read_then_a_text_update(asked: str) -> Any:
            record = await read_owner(asked)
            memory.get = read_owner  # type: ignore[method-assign]
            await memory.update(asked, text="alex lives in Rome")  # lands after the server's read
            return record

        memory.get = owner_read_then_a_text_update  # type: ignore[method-assign]
        await service.update(P1, memory_id, None, {"checked": True})
        now = await service.get(P1, memory_id)
        history = [(e["old_memory"], e["new_memory"]) for e in await memory.history(memory_id)]
        return now["memory"], history, now["metadata"] or {}

    text, history, metadata = run_service(tmp_path, config_for, scenario)
    assert text == "alex lives in Rome" and metadata.get("checked") is True
    assert history[-1] == ("alex lives in Rome", "alex lives in Rome")  # the metadata update, text kept


def test_an_unreadable_metadata_text_expires_nothing() -> None:
    """users() reads every scope's metadata texts that may hold an expiration date: one that is not a JSON object
    (an import may have written it) counts as not expired instead of failing every tenant's users()."""
    from graphmem.explore import _expired

    assert _expired(['{"expiration_date": "2000-01-01"}', '["expiration_date"]', "not json", '"expiration_date"',
                     '{"note": {"expiration_date": "2000-01-01"}}', None]) == 1  # type: ignore[list-item]
