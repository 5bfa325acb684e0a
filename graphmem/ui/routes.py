"""The explorer page's JSON API as a FastAPI router, for both apps that serve the page (graphmem/ui/app.py).

Each route first asks `explorer_of(request)` for the request's explorer (graphmem/ui/explorer.py): the local
store under `graphmem ui`, the key's tenant under `graphmem serve`, whose `explorer_of` raises for a missing
or wrong key before the route touches anything. FastAPI is imported at the top: import this module lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from graphmem.ui.explorer import Explorer

ExplorerOf = Callable[[Request], Explorer]
Limit = Annotated[int, Query(ge=0, le=1000)]  # as the server's search bodies (models.SearchRequest)


def api_router(explorer_of: ExplorerOf) -> APIRouter:
    """The page's API routes (scopes, search, graph, memories/{id}); each first asks `explorer_of(request)`."""
    router = APIRouter()

    @router.get("/scopes")
    async def scopes(request: Request) -> list[dict[str, str | None]]:
        return await explorer_of(request).scopes()

    @router.get("/search")
    async def search(request: Request, q: str, user_id: str | None = None, agent_id: str | None = None,
                     app_id: str | None = None, run_id: str | None = None, as_of: str | None = None,
                     limit: Limit = 10) -> dict[str, Any]:
        ids = {"user_id": user_id, "agent_id": agent_id, "app_id": app_id, "run_id": run_id}
        return await explorer_of(request).search(q, ids, as_of or None, limit)

    @router.get("/graph")
    async def graph(request: Request, user_id: str | None = None, agent_id: str | None = None,
                    app_id: str | None = None, run_id: str | None = None, as_of: str | None = None,
                    memories: bool = True) -> dict[str, Any]:
        ids = {"user_id": user_id, "agent_id": agent_id, "app_id": app_id, "run_id": run_id}
        return await explorer_of(request).graph(ids, as_of or None, memories)

    @router.get("/memories/{memory_id}")
    async def details(request: Request, memory_id: str) -> dict[str, Any]:
        return await explorer_of(request).details(memory_id)

    @router.put("/memories/{memory_id}")
    async def edit(request: Request, memory_id: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        return await explorer_of(request).edit(memory_id, body.get("text"))

    @router.delete("/memories/{memory_id}")
    async def delete(request: Request, memory_id: str) -> dict[str, Any]:
        return await explorer_of(request).delete(memory_id)

    return router
