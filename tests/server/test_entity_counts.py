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
