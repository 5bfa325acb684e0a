"""mem0's memory routes: v3 (the 2.2.x clients), and the v1/v2 forms older clients send.

Answers are mem0's shapes with graphmem's `relations` added (search and list). Ids in answers are the
ones the client sent (tenancy.Tenant.public).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.security import APIKeyHeader

from graphmem.search.as_of import check_when
from graphmem.server.app import tenant_of
from graphmem.server.models import (
    ERRORS,
    AddRequest,
    BatchDeleteRequest,
    BatchUpdateRequest,
    ListRequest,
    SearchRequest,
    UpdateRequest,
)
from graphmem.server.service import Service
from graphmem.server.tenancy import Tenant

api_key = APIKeyHeader(name="Authorization", auto_error=False,
                       description="`Token <key>` (a key from `graphmem keys create`)")


# Dependencies are coroutines: FastAPI would run plain functions in its thread pool, a thread hop per request.
async def current_tenant(request: Request, authorization: Annotated[str | None, Security(api_key)]) -> Tenant:
    return tenant_of(request, authorization)


async def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


TenantDep = Annotated[Tenant, Depends(current_tenant)]
ServiceDep = Annotated[Service, Depends(service)]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=1000)]
router = APIRouter(tags=["memories"], responses=ERRORS)


# -- add ---------------------------------------------------------------------------------------

async def _add(body: AddRequest, tenant: Tenant, svc: Service) -> dict[str, Any]:
    options = {"metadata": body.metadata, "infer": body.infer, "timestamp": body.timestamp,
               "prompt": body.prompt or body.custom_instructions}
    return await svc.add(tenant, body.messages, body.ids(), body.filters, **options)


@router.post("/v3/memories/add/", summary="Add memories (mem0 2.2.x)")
async def add_v3(body: AddRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await _add(body, tenant, svc)


@router.post("/v1/memories/", summary="Add memories (older clients)")
async def add_v1(body: AddRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await _add(body, tenant, svc)


# -- search ------------------------------------------------------------------------------------

async def _search(body: SearchRequest, tenant: Tenant, svc: Service) -> dict[str, Any]:
    limit = body.top_k if body.top_k is not None else body.limit if body.limit is not None else 10
    found = await svc.search(tenant, body.query, body.ids(), body.filters, limit=limit, threshold=body.threshold,
                             rerank=body.rerank, explain=body.explain, as_of=check_when(body.as_of))
    if not body.relations:
        found.pop("relations", None)
    return found


@router.post("/v3/memories/search/", summary="Search memories (mem0 2.2.x)")
async def search_v3(body: SearchRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await _search(body, tenant, svc)


@router.post("/v2/memories/search/", summary="Search memories (v2 filters)")
async def search_v2(body: SearchRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await _search(body, tenant, svc)


@router.post("/v1/memories/search/", summary="Search memories (top-level ids)")
async def search_v1(body: SearchRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any] | list[Any]:
    found = await _search(body, tenant, svc)
    return list(found["results"]) if body.output_format == "v1.0" else found


# -- list --------------------------------------------------------------------------------------

def _paged(request: Request, listed: dict[str, Any], page: int, page_size: int) -> dict[str, Any]:
    """mem0's paginated list: count, next / previous page URLs, results; plus relations."""
    results = listed["results"]
    start = (page - 1) * page_size

    def link(number: int) -> str:
        return str(request.url.replace(query=urlencode({"page": number, "page_size": page_size})))

    return {"count": len(results), "next": link(page + 1) if start + page_size < len(results) else None,
            "previous": link(page - 1) if page > 1 else None, "results": results[start:start + page_size],
            "relations": listed.get("relations", [])}


@router.post("/v3/memories/", summary="List memories, paginated (mem0 2.2.x)")
async def list_v3(request: Request, body: ListRequest, tenant: TenantDep, svc: ServiceDep,
                  page: Page = 1, page_size: PageSize = 100) -> dict[str, Any]:
    return _paged(request, await svc.list_memories(tenant, body.ids(), body.filters), page, page_size)


@router.post("/v2/memories/", summary="List memories (v2 filters)")
async def list_v2(request: Request, body: ListRequest, tenant: TenantDep, svc: ServiceDep,
                  page: Page = 1, page_size: PageSize = 100) -> dict[str, Any]:
    return _paged(request, await svc.list_memories(tenant, body.ids(), body.filters), page, page_size)


@router.get("/v1/memories/", summary="List memories (top-level ids)")
async def list_v1(request: Request, tenant: TenantDep, svc: ServiceDep, user_id: str | None = None,
                  agent_id: str | None = None, app_id: str | None = None, run_id: str | None = None,
                  page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
                  page_size: PageSize = 100) -> dict[str, Any] | list[Any]:
    ids = {"user_id": user_id, "agent_id": agent_id, "app_id": app_id, "run_id": run_id}
    listed = await svc.list_memories(tenant, ids, None)
    return _paged(request, listed, page, page_size) if page is not None else list(listed["results"])


@router.delete("/v1/memories/", summary="Delete a scope's memories (all of the project's without ids)")
async def delete_all(tenant: TenantDep, svc: ServiceDep, user_id: str | None = None, agent_id: str | None = None,
                     app_id: str | None = None, run_id: str | None = None) -> dict[str, str]:
    return await svc.delete_all(tenant, {"user_id": user_id, "agent_id": agent_id, "app_id": app_id,
                                         "run_id": run_id})


# -- one memory --------------------------------------------------------------------------------

@router.get("/v1/memories/{memory_id}/", summary="Get a memory")
async def get_memory(memory_id: str, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.get(tenant, memory_id)


@router.put("/v1/memories/{memory_id}/", summary="Update a memory's text and/or metadata")
async def update_memory(memory_id: str, body: UpdateRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.update(tenant, memory_id, body.text, body.metadata)


@router.delete("/v1/memories/{memory_id}/", summary="Delete a memory")
async def delete_memory(memory_id: str, tenant: TenantDep, svc: ServiceDep) -> dict[str, str]:
    return await svc.delete(tenant, memory_id)


@router.get("/v1/memories/{memory_id}/history/", summary="A memory's history (and its feedback)")
async def history(memory_id: str, tenant: TenantDep, svc: ServiceDep) -> list[dict[str, Any]]:
    return await svc.history(tenant, memory_id)


# -- batches -----------------------------------------------------------------------------------

@router.put("/v1/batch/", summary="Update up to 1000 memories")
async def batch_update(body: BatchUpdateRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, str]:
    return await svc.batch_update(tenant, [m.model_dump() for m in body.memories])


@router.delete("/v1/batch/", summary="Delete up to 1000 memories")
async def batch_delete(body: BatchDeleteRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, str]:
    return await svc.batch_delete(tenant, [m.memory_id for m in body.memories])
