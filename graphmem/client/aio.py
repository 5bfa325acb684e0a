"""AsyncMemoryClient: graphmem's client for a graphmem server (or mem0's platform), over httpx.

    from graphmem import MemoryClient
    client = MemoryClient(api_key="gm_...", host="http://127.0.0.1:8000")   # or GRAPHMEM_API_KEY / MEM0_API_KEY
    client.add("I love pizza", user_id="alex")
    client.search("food", user_id="alex")                        # v3 with filters; version="v1" / "v2" too
    client.search("food", filters={"user_id": "alex"}, as_of="2024-05-01", explain=True)

mem0's platform client's methods and arguments, plus graphmem's `relations`, `as_of`, `explain` and
`timestamp`. HTTP errors become graphmem's exceptions (400 ValidationError naming the field, 401/403
AuthenticationError, 404 NotFoundError, 429 RateLimitError with retry_after, others RemoteError), and an
unreachable server ConnectionFailedError naming the URL. One implementation: MemoryClient runs the async
client's coroutines on a private loop thread, as graphmem.Memory does.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from urllib.parse import quote

from graphmem.errors import (
    AuthenticationError,
    ConnectionFailedError,
    MissingDependencyError,
    NotFoundError,
    RateLimitError,
    RemoteError,
    ValidationError,
)

DEFAULT_HOST = "http://127.0.0.1:8000"
ENTITY_IDS = ("user_id", "agent_id", "app_id", "run_id")
FEEDBACK = ("POSITIVE", "NEGATIVE", "VERY_NEGATIVE")


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if v is not None}


def _with_filters(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Top-level ids (the older call forms) folded into mem0 v2/v3 `filters`."""
    body = dict(kwargs)
    ids = {k: body.pop(k) for k in ENTITY_IDS if body.get(k) is not None}
    if ids:
        body["filters"] = {**ids, **(body.get("filters") or {})}
    return _clean(body)


def _error(response: Any) -> Exception:
    """The graphmem exception for an HTTP error answer."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    message = detail if isinstance(detail, str) else str(detail or response.text or response.reason_phrase)
    status = response.status_code
    if status in (400, 422):
        field = body.get("field") if isinstance(body, dict) else None
        if field is None and isinstance(detail, list) and detail and isinstance(detail[0], dict):
            field = str((detail[0].get("loc") or ["", ""])[-1])
        return ValidationError(message, field=field)
    if status in (401, 403):
        return AuthenticationError(message, status=status)
    if status == 404:
        return NotFoundError(message)
    if status == 429:
        retry = response.headers.get("Retry-After")
        return RateLimitError(message, retry_after=float(retry) if retry and retry.isdigit() else None)
    return RemoteError(f"HTTP {status}: {message}", status=status)


class AsyncMemoryClient:
    """mem0's AsyncMemoryClient methods against a graphmem server (`graphmem serve`)."""

    def __init__(self, api_key: str | None = None, host: str | None = None, org_id: str | None = None,
                 project_id: str | None = None, client: Any = None, timeout: float = 300.0) -> None:
        try:
            import httpx
        except ImportError:
            raise MissingDependencyError("MemoryClient needs httpx: pip install 'graphmem[client]'") from None
        self.api_key = api_key or os.getenv("GRAPHMEM_API_KEY") or os.getenv("MEM0_API_KEY")
        if not self.api_key:
            raise ValidationError("an API key is required (api_key, GRAPHMEM_API_KEY or MEM0_API_KEY)",
                                  field="api_key")
        self.host = (host or os.getenv("GRAPHMEM_HOST") or DEFAULT_HOST).rstrip("/")
        self.org_id, self.project_id = org_id, project_id
        headers = {"Authorization": f"Token {self.api_key}", "Content-Type": "application/json"}
        self._client = client or httpx.AsyncClient(base_url=self.host, headers=headers, timeout=timeout)
        if client is not None:
            self._client.base_url = httpx.URL(self.host)
            self._client.headers.update(headers)

    async def __aenter__(self) -> AsyncMemoryClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        import httpx

        try:
            response = await self._client.request(method, path, json=json, params=_clean(params or {}) or None)
        except httpx.TransportError as exc:
            raise ConnectionFailedError(f"cannot reach the graphmem server at {self.host}: {exc}",
                                        url=self.host) from None
        if response.status_code >= 400:
            raise _error(response)
        return response.json()

    async def ping(self) -> dict[str, Any]:
        """Check the key; remembers the key's org and project."""
        answer: dict[str, Any] = await self._call("GET", "/v1/ping/")
        self.org_id, self.project_id = answer.get("org_id"), answer.get("project_id")
        return answer

    # -- memories ----------------------------------------------------------------------------------

    async def add(self, messages: Any, *, timestamp: int | float | str | datetime | None = None,
                  **kwargs: Any) -> dict[str, Any]:
        """Remember messages (a string, a message, or a list of them) in the scope named by user_id etc."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        elif isinstance(messages, dict):
            messages = [messages]
        body = _clean({"messages": messages, "timestamp": timestamp, **kwargs})
        version = body.pop("version", "v3")
        path = "/v1/memories/" if version in ("v1", "v2") else "/v3/memories/add/"
        result: dict[str, Any] = await self._call("POST", path, json=body)
        return result

    async def search(self, query: str, *, version: str = "v3", relations: bool = True,
                     as_of: datetime | str | None = None, explain: bool = False, **kwargs: Any) -> Any:
        """Search a scope (`filters={"user_id": ...}`, or the older top-level ids); graphmem's `relations`
        (False leaves them out), `as_of` (what was valid then) and `explain` (each signal's score)."""
        extras = {"relations": relations, "as_of": as_of, "explain": explain or None}
        if version == "v1":
            return await self._call("POST", "/v1/memories/search/", json=_clean({"query": query, **extras, **kwargs}))
        path = "/v2/memories/search/" if version == "v2" else "/v3/memories/search/"
        return await self._call("POST", path, json={"query": query, **_with_filters({**extras, **kwargs})})

    async def get_all(self, *, version: str = "v3", page: int | None = None, page_size: int | None = None,
                      **kwargs: Any) -> Any:
        """A scope's memories: mem0's paginated `{count, next, previous, results}` plus `relations`
        (v1 without `page`: a plain list)."""
        paging = _clean({"page": page, "page_size": page_size})
        if version == "v1":
            return await self._call("GET", "/v1/memories/", params={**_clean(kwargs), **paging})
        path = "/v2/memories/" if version == "v2" else "/v3/memories/"
        return await self._call("POST", path, json=_with_filters(kwargs), params=paging)

    async def get(self, memory_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/v1/memories/{_segment(memory_id)}/")
        return result

    async def update(self, memory_id: str, text: str | None = None, metadata: dict[str, Any] | None = None,
                     **kwargs: Any) -> dict[str, Any]:
        body = _clean({"text": text, "metadata": metadata, **kwargs})
        if not body:
            raise ValidationError("give text or metadata to update", field="text")
        result: dict[str, Any] = await self._call("PUT", f"/v1/memories/{_segment(memory_id)}/", json=body)
        return result

    async def delete(self, memory_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("DELETE", f"/v1/memories/{_segment(memory_id)}/")
        return result

    async def delete_all(self, **kwargs: Any) -> dict[str, Any]:
        """A scope's memories (user_id, agent_id, app_id, run_id); with none, the whole project's."""
        result: dict[str, Any] = await self._call("DELETE", "/v1/memories/", params=kwargs)
        return result

    async def history(self, memory_id: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", f"/v1/memories/{_segment(memory_id)}/history/")
        return result

    async def batch_update(self, memories: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("PUT", "/v1/batch/", json={"memories": memories})
        return result

    async def batch_delete(self, memories: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("DELETE", "/v1/batch/", json={"memories": memories})
        return result

    # -- entities, feedback, exports -----------------------------------------------------------------

    async def users(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/v1/entities/")
        return result

    async def delete_users(self, user_id: str | None = None, agent_id: str | None = None, app_id: str | None = None,
                           run_id: str | None = None) -> dict[str, str]:
        """One entity's memories, or (no argument) every user's, agent's, app's and run's of the project."""
        named = [(kind, name) for kind, name in (("user", user_id), ("agent", agent_id), ("app", app_id),
                                                  ("run", run_id)) if name]
        targets = named[:1] or [(e["type"], e["name"]) for e in (await self.users())["results"]]
        for kind, name in targets:
            await self._call("DELETE", f"/v2/entities/{_segment(kind)}/{_segment(name)}/")
        return {"message": "Entity deleted successfully." if named else "All users, agents, apps and runs deleted."}

    async def reset(self) -> dict[str, str]:
        """Delete every memory of the key's project (no other project's)."""
        await self.delete_users()
        return {"message": "Client reset successful. All users and memories deleted."}

    async def feedback(self, memory_id: str, feedback: str | None = None,
                       feedback_reason: str | None = None) -> dict[str, Any]:
        value = feedback.upper() if feedback else None
        if value is not None and value not in FEEDBACK:
            raise ValidationError(f"feedback must be one of {', '.join(FEEDBACK)} or None", field="feedback")
        result: dict[str, Any] = await self._call("POST", "/v1/feedback/", json={
            "memory_id": memory_id, "feedback": value, "feedback_reason": feedback_reason})
        return result

    async def create_memory_export(self, schema: str | dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("POST", "/v1/exports/", json={"schema": schema, **_clean(kwargs)})
        return result

    async def get_memory_export(self, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("POST", "/v1/exports/get/", json=_clean(kwargs))
        return result

    # -- webhooks ----------------------------------------------------------------------------------

    async def _project(self, project_id: str | None) -> str:
        if project_id is None and self.project_id is None:
            await self.ping()
        return str(project_id or self.project_id)

    async def get_webhooks(self, project_id: str | None = None) -> list[dict[str, Any]]:
        path = f"/api/v1/webhooks/projects/{_segment(await self._project(project_id))}/"
        result: list[dict[str, Any]] = await self._call("GET", path)
        return result

    async def create_webhook(self, url: str, name: str, project_id: str | None = None,
                             event_types: list[str] | None = None) -> dict[str, Any]:
        """A webhook for memory.created / updated / deleted; its `secret` verifies the signatures."""
        path = f"/api/v1/webhooks/projects/{_segment(await self._project(project_id))}/"
        body = {"url": url, "name": name, "event_types": event_types or ["memory.created", "memory.updated",
                                                                        "memory.deleted"]}
        result: dict[str, Any] = await self._call("POST", path, json=body)
        return result

    async def update_webhook(self, webhook_id: int, name: str | None = None, url: str | None = None,
                             event_types: list[str] | None = None) -> dict[str, Any]:
        body = _clean({"name": name, "url": url, "event_types": event_types})
        result: dict[str, Any] = await self._call("PUT", f"/api/v1/webhooks/{int(webhook_id)}/", json=body)
        return result

    async def delete_webhook(self, webhook_id: int) -> dict[str, str]:
        result: dict[str, str] = await self._call("DELETE", f"/api/v1/webhooks/{int(webhook_id)}/")
        return result
