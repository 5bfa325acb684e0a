"""mem0's platform routes besides memories: ping, entities, feedback, exports, webhooks; and health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from graphmem.errors import NotFoundError
from graphmem.server.models import (
    ERRORS,
    ExportGetRequest,
    ExportRequest,
    FeedbackRequest,
    WebhookRequest,
    WebhookUpdate,
)
from graphmem.server.routes_memories import ServiceDep, TenantDep
from graphmem.server.tenancy import Tenant

health = APIRouter(tags=["health"])
router = APIRouter(tags=["platform"], responses=ERRORS)
WebhookId = Annotated[int, Path(ge=1, le=2**53, description="The webhook's id")]


@health.get("/health", summary="Liveness: the process answers (no key needed)")
async def alive() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/ready", summary="Readiness: the store is open (no key needed)")
async def ready(request: Request) -> Any:
    if not request.app.state.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    return {"status": "ready"}


@router.get("/v1/ping/", summary="Check a key (mem0's clients call it on start)")
async def ping(tenant: TenantDep) -> dict[str, Any]:
    return {"status": "ok", "message": "API key is valid", "org_id": tenant.org, "project_id": tenant.project,
            "user_email": None}


@router.get("/v1/entities/", summary="Users, agents, apps and runs with their memory counts")
async def entities(tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.users(tenant)


@router.delete("/v2/entities/{entity_type}/{entity_id}/", summary="Delete one entity's memories")
async def delete_entity(entity_type: str, entity_id: str, tenant: TenantDep, svc: ServiceDep) -> dict[str, str]:
    return await svc.delete_entity(tenant, entity_type, entity_id)


@router.post("/v1/feedback/", summary="Feedback on a memory (kept in its history)")
async def feedback(body: FeedbackRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.feedback(tenant, body.memory_id, body.feedback, body.feedback_reason)


@router.post("/v1/exports/", summary="Start an export of a scope's memories shaped to a JSON Schema")
async def create_export(body: ExportRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.create_export(tenant, body.schema_, body.ids(), body.filters)


@router.post("/v1/exports/get/", summary="An export's document (the latest, or by memory_export_id)")
async def get_export(body: ExportGetRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    return await svc.get_export(tenant, body.memory_export_id)


# -- webhooks (mem0's client sends these paths without the leading /v1) -----------------------------

def _project(tenant: Tenant, project_id: str) -> None:
    if project_id != tenant.project:
        raise NotFoundError(f"project {project_id} not found")


@router.get("/api/v1/webhooks/projects/{project_id}/", summary="The project's webhooks")
async def list_webhooks(project_id: str, tenant: TenantDep, svc: ServiceDep) -> list[dict[str, Any]]:
    _project(tenant, project_id)
    return svc.state.webhooks(tenant.org, tenant.project)


@router.post("/api/v1/webhooks/projects/{project_id}/", summary="Create a webhook (its secret signs deliveries)")
async def create_webhook(project_id: str, body: WebhookRequest, tenant: TenantDep, svc: ServiceDep) -> dict[str, Any]:
    _project(tenant, project_id)
    return svc.state.create_webhook(tenant.org, tenant.project, body.name, body.url, list(body.event_types))


@router.put("/api/v1/webhooks/{webhook_id}/", summary="Change a webhook")
async def update_webhook(webhook_id: WebhookId, body: WebhookUpdate, tenant: TenantDep,
                         svc: ServiceDep) -> dict[str, Any]:
    changes = {"name": body.name, "url": body.url, "event_types": body.event_types}
    return svc.state.update_webhook(tenant.org, tenant.project, webhook_id, changes)


@router.delete("/api/v1/webhooks/{webhook_id}/", summary="Delete a webhook (and its undelivered events)")
async def delete_webhook(webhook_id: WebhookId, tenant: TenantDep, svc: ServiceDep) -> dict[str, str]:
    svc.state.delete_webhook(tenant.org, tenant.project, webhook_id)
    return {"message": "Webhook deleted successfully"}
