"""A process that makes one change through the server's Service over a Kuzu store and dies (os._exit) right after
the store committed it, before its events reach the outbox: a kill at the worst moment, for test_webhook_crash.py.

    python intent_crash_child.py <db> <state file> add|update|delete
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from graphmem import AsyncMemory
from graphmem.server.service import Service
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Tenant
from graphmem.server.webhooks import Dispatcher

TENANT = Tenant("k1", "acme", "p1")
KILLED = 9


def dies_after(method: Any) -> Any:
    """The method, then the process's end: nothing after the store's commit runs."""
    async def then_die(*args: Any, **kwargs: Any) -> Any:
        await method(*args, **kwargs)
        os._exit(KILLED)
    return then_die


async def main(db: str, state_path: str, change: str) -> None:
    memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": db}}, "embedder": {"provider": "hash"}})
    state = ServerState(state_path)
    service = Service(memory, state, Dispatcher(state))
    held = (await memory.get_all(**TENANT.scope({"user_id": "alex"})))["results"]
    setattr(memory, change, dies_after(getattr(memory, change)))
    if change == "add":
        await service.add(TENANT, "I love pizza", {"user_id": "alex"}, None, infer=False)
    elif change == "update":
        await service.update(TENANT, held[0]["id"], "I love pasta", None)
    else:
        await service.delete(TENANT, held[0]["id"])
    raise SystemExit("the change returned: the process should have died in it")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
