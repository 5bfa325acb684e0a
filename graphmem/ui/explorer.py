"""What the explorer's API asks of a store, as one small interface with two makers:

- `LocalExplorer(memory)`: the whole store of one AsyncMemory (`graphmem ui`, a single user on their machine);
- `graphmem.server.ui_routes.TenantExplorer`: one API key's tenant of a server (`graphmem serve` at /ui).

The routes (graphmem/ui/app.py) ask the request for its explorer and then call only these methods, so the
page's API is the same under both, and a server's tenant rules live in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from graphmem.errors import ValidationError
from graphmem.search.as_of import check_when
from graphmem.ui.views import graph_payload, memory_details

if TYPE_CHECKING:
    from graphmem.memory import AsyncMemory

# The ids the page names a scope by: what /api/scopes gave it (a server's tenant may have app scopes).
Ids = dict[str, str | None]


class Explorer(Protocol):
    async def scopes(self) -> list[dict[str, str | None]]:
        """The scopes holding memories, as the page names them back in `ids`."""

    async def search(self, query: str, ids: Ids, as_of: str | None, limit: int) -> dict[str, Any]:
        """mem0's `{"results", "relations"}` with each result's signals (explain)."""

    async def graph(self, ids: Ids, as_of: str | None, with_memories: bool) -> dict[str, Any]:
        """The scope's graph as cytoscape elements (views.graph_payload)."""

    async def details(self, memory_id: str) -> dict[str, Any]:
        """`{"memory", "sources", "history"}` of one memory (views.memory_details)."""

    async def edit(self, memory_id: str, text: Any) -> dict[str, Any]:
        """Replace the memory's text."""

    async def delete(self, memory_id: str) -> dict[str, Any]:
        """Delete the memory."""


class LocalExplorer:
    """Every scope of one AsyncMemory: no keys, no tenants (the store is the caller's own)."""

    def __init__(self, memory: AsyncMemory) -> None:
        self.memory = memory

    async def scopes(self) -> list[dict[str, str | None]]:
        return sorted((scope.params() for scope in await self.memory.scopes()), key=by_ids)  # the store's varies

    async def search(self, query: str, ids: Ids, as_of: str | None, limit: int) -> dict[str, Any]:
        return await self.memory.search(query, **_scope(ids), limit=limit, explain=True,
                                        as_of=check_when(as_of))

    async def graph(self, ids: Ids, as_of: str | None, with_memories: bool) -> dict[str, Any]:
        return await graph_payload(self.memory, _scope(ids), as_of, with_memories)

    async def details(self, memory_id: str) -> dict[str, Any]:
        return await memory_details(self.memory, memory_id)

    async def edit(self, memory_id: str, text: Any) -> dict[str, Any]:
        return await self.memory.update(memory_id, text=text)  # a missing or empty text: update names "text"

    async def delete(self, memory_id: str) -> dict[str, Any]:
        return await self.memory.delete(memory_id)


def _scope(ids: Ids) -> dict[str, Any]:  # AsyncMemory's keyword ids
    # app_id is a server's scope (an agent-like id of mem0's platform); a local store has none to match it.
    if ids.get("app_id"):
        raise ValidationError("app_id names a scope of graphmem serve; this store has user, agent and run ids",
                              field="app_id")
    return {"user_id": ids.get("user_id") or None, "agent_id": ids.get("agent_id") or None,
            "run_id": ids.get("run_id") or None}


def by_ids(scope: dict[str, str | None]) -> tuple[str, ...]:
    """The order the page lists scopes in: by user, agent, app and run id."""
    return tuple(scope.get(field) or "" for field in ("user_id", "agent_id", "app_id", "run_id"))
