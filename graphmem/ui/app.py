"""The explorer's web app: the page and a small JSON API, a thin layer over `AsyncMemory`.

    GET    /                       the page (static/index.html); static/ holds its JS, CSS and vendored library
    GET    /api/scopes             the scopes holding memories
    GET    /api/search?q=...       search results with scores and each signal's share (explain), and relations
    GET    /api/graph              the scope's entities, memories and relations, now or at `as_of`
    GET    /api/memories/{id}      one memory, the messages it came from, and its history
    PUT    /api/memories/{id}      edit its text: {"text": "..."}
    DELETE /api/memories/{id}      delete it

Every call names its scope (`user_id`, `agent_id`, `run_id` query parameters). The page uses relative URLs,
so the app works at `/` and mounted under a prefix (`server_app.mount("/ui", create_app(memory))`).
A GraphMemError becomes a 4xx answer with `{"detail", "field"}`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmem.errors import GraphMemError, MissingDependencyError, NotFoundError, ValidationError
from graphmem.ui.views import graph_payload, memory_details

if TYPE_CHECKING:
    from fastapi import FastAPI

    from graphmem.memory import AsyncMemory

STATIC = Path(__file__).with_name("static")


def create_app(memory: AsyncMemory, *, close_memory: bool = False) -> FastAPI:
    """The explorer over `memory`; with `close_memory`, the app closes it when it shuts down."""
    try:
        from fastapi import FastAPI
    except ImportError:
        raise MissingDependencyError("the explorer needs FastAPI: pip install 'graphmem[server]'") from None
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        if close_memory:
            await memory.close()

    app = FastAPI(title="graphmem explorer", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(GraphMemError)
    async def graphmem_error(_: Any, exc: GraphMemError) -> Any:
        status = 404 if isinstance(exc, NotFoundError) else 422 if isinstance(exc, ValidationError) else 400
        return JSONResponse({"detail": str(exc), "field": getattr(exc, "field", None)}, status_code=status)

    @app.get("/", include_in_schema=False)
    async def page() -> Any:
        return FileResponse(STATIC / "index.html")

    _add_api(app, memory)
    return app


def _scope(user_id: str | None, agent_id: str | None, run_id: str | None) -> dict[str, str | None]:
    return {"user_id": user_id or None, "agent_id": agent_id or None, "run_id": run_id or None}


def _add_api(app: FastAPI, memory: AsyncMemory) -> None:
    from fastapi import Body

    @app.get("/api/scopes")
    async def scopes() -> list[dict[str, str | None]]:
        return [scope.params() for scope in await memory.scopes()]

    @app.get("/api/search")
    async def search(q: str, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
                     as_of: str | None = None, limit: int = 10) -> dict[str, Any]:
        from graphmem.graph import check_when

        return await memory.search(q, user_id=user_id or None, agent_id=agent_id or None, run_id=run_id or None,
                                   limit=limit, explain=True, as_of=check_when(as_of or None))

    @app.get("/api/graph")
    async def graph(user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
                    as_of: str | None = None, memories: bool = True) -> dict[str, Any]:
        return await graph_payload(memory, _scope(user_id, agent_id, run_id), as_of or None, memories)

    @app.get("/api/memories/{memory_id}")
    async def details(memory_id: str) -> dict[str, Any]:
        return await memory_details(memory, memory_id)

    @app.put("/api/memories/{memory_id}")
    async def edit(memory_id: str, body: dict[str, Any] = Body(...)) -> dict[str, str]:  # noqa: B008
        return await memory.update(memory_id, body.get("text"))  # a missing or empty text: update names the field

    @app.delete("/api/memories/{memory_id}")
    async def delete(memory_id: str) -> dict[str, str]:
        return await memory.delete(memory_id)
