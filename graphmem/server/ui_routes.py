"""The explorer page at /ui of `graphmem serve`: the same page and JavaScript as `graphmem ui`, confined to
the caller's tenant.

    GET /ui, /ui/           the page (no key: it holds no data), rendered with data-auth="token" so it asks
                            for a key and sends it as `Authorization: Token <key>`
    GET /ui/static/...      its JS, CSS and vendored cytoscape.js (no key)
        /ui/api/...         the explorer's API (graphmem/ui/routes.py): every call authenticated and rate
                            limited like the rest of the server, and answered from the key's tenant only

`TenantExplorer` answers the API through `Service` and `Tenant`, as the mem0 routes do: ids in are folded
into the tenant's scope, answers come out with the tenant's prefixes taken off, and a memory of another
tenant (or of a user a restricted key may not see) is not found. The routes stay out of the OpenAPI
document: the explorer is not part of mem0's API.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from graphmem.search.as_of import check_when
from graphmem.server.app import tenant_of
from graphmem.server.service import Service
from graphmem.server.tenancy import Tenant
from graphmem.ui.app import PAGE_HEADERS, STATIC, page_html
from graphmem.ui.explorer import Ids, by_ids
from graphmem.ui.routes import api_router
from graphmem.ui.views import graph_payload, provenance


class TenantExplorer:
    """The explorer's questions (graphmem.ui.explorer.Explorer) answered within one key's tenant."""

    def __init__(self, service: Service, tenant: Tenant) -> None:
        self.service = service
        self.tenant = tenant

    async def scopes(self) -> list[dict[str, str | None]]:
        """The tenant's scopes holding memories (a restricted key's users only), by the ids clients sent."""
        public = [self.tenant.public(scope) for scope in await self.service.owned_scopes(self.tenant)]
        return sorted(public, key=by_ids)  # the store's order varies; the page's scope list should not

    async def search(self, query: str, ids: Ids, as_of: str | None, limit: int) -> dict[str, Any]:
        return await self.service.search(self.tenant, query, ids, None, limit=limit, explain=True,
                                         as_of=check_when(as_of))

    async def graph(self, ids: Ids, as_of: str | None, with_memories: bool) -> dict[str, Any]:
        drawn = await graph_payload(self.service.memory, self.tenant.scope(ids), as_of, with_memories)
        return dict(self.tenant.public(drawn))  # entities named after a user are stored under the prefixed id

    async def details(self, memory_id: str) -> dict[str, Any]:
        record = await self.service.get(self.tenant, memory_id)  # another tenant's memory: NotFoundError
        sources = provenance(await self.service.memory.sources(memory_id))
        return {"memory": record, "sources": self.tenant.public(sources),
                "history": await self.service.owned_history(self.tenant, memory_id)}

    async def edit(self, memory_id: str, text: Any) -> dict[str, Any]:
        return await self.service.update(self.tenant, memory_id, text, None)

    async def delete(self, memory_id: str) -> dict[str, Any]:
        return await self.service.delete(self.tenant, memory_id)


def tenant_explorer(request: Request) -> TenantExplorer:
    """The request's key's explorer; Unauthorised (401) or TooManyRequests (429) before anything is read."""
    tenant = tenant_of(request, request.headers.get("authorization"))
    return TenantExplorer(request.app.state.service, tenant)


def add_explorer(app: FastAPI) -> None:
    """Serve the explorer page at /ui of the server app."""
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    app.include_router(api_router(tenant_explorer), prefix="/ui/api", include_in_schema=False)

    @app.get("/ui", include_in_schema=False)
    async def to_page(request: Request) -> RedirectResponse:
        # The page's URLs are relative: at /ui they would resolve beside it (/static/...), not under it.
        # A relative Location keeps working behind a proxy that serves the server under a path of its own.
        query = request.url.query
        return RedirectResponse("ui/" + (f"?{query}" if query else ""), status_code=307)

    @app.get("/ui/", include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html("token"), headers=PAGE_HEADERS)
