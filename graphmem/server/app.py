"""`create_app(config)`: the FastAPI app over ONE shared AsyncMemory, opened and closed by the lifespan.

With Kuzu the server is the one process that owns the store (Kuzu allows one writer process); with
Neo4j/Memgraph every worker opens its own AsyncMemory on the shared server and keeps no state between
requests other than the state file (keys, webhooks, outbox, intents), which SQLite shares between
processes. At start, the intents of processes that are gone are recovered (server/intents.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmem.config import MemoryConfig, default_home
from graphmem.errors import (
    BackendError,
    GraphMemError,
    MissingDependencyError,
    NotFoundError,
    ProviderError,
    ValidationError,
)
from graphmem.server.guard import RateLimiter, RequestGuard, TooManyRequests, Unauthorised, authenticate
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Forbidden, Tenant
from graphmem.server.webhooks import DeliverySettings

if TYPE_CHECKING:
    from fastapi import FastAPI

ConfigLike = MemoryConfig | dict[str, Any] | None


@dataclass
class ServerSettings:
    state_path: str | Path | None = None  # default: beside the Kuzu store, else $GRAPHMEM_DIR/server.sqlite3
    max_body: int = 1_048_576
    rate_per_minute: float = 600.0
    rate_burst: int = 120
    delivery: DeliverySettings = field(default_factory=DeliverySettings)


def state_path_for(config: ConfigLike, given: str | Path | None = None) -> Path:
    """Where the server keeps keys and webhooks: beside an on-disk Kuzu store (`<db>.server.sqlite3`)."""
    if given is not None:
        return Path(given).expanduser()
    parsed = MemoryConfig.parse(config)
    db = getattr(parsed.graph_store.config, "db", None)
    if parsed.graph_store.provider == "kuzu" and isinstance(db, str) and db != ":memory:":
        path = Path(db).expanduser()
        return path.with_name(path.name + ".server.sqlite3")
    return default_home() / "server.sqlite3"


def create_app(config: ConfigLike = None, settings: ServerSettings | None = None) -> FastAPI:
    """The REST app (a fastapi.FastAPI); run it with uvicorn (`graphmem serve` does)."""
    try:
        from fastapi import FastAPI
    except ImportError:
        raise MissingDependencyError("the server needs FastAPI: pip install 'graphmem[server]'") from None
    from graphmem.server import routes_memories, routes_platform, ui_routes

    settings = settings or ServerSettings()
    path = state_path_for(config, settings.state_path)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from graphmem.memory import AsyncMemory
        from graphmem.server.intents import recover_orphans
        from graphmem.server.service import Service
        from graphmem.server.webhooks import Dispatcher

        state = ServerState(path)
        memory = AsyncMemory(config)
        dispatcher = Dispatcher(state, settings.delivery)
        try:
            await memory.connect()
            app.state.state = state
            app.state.service = Service(memory, state, dispatcher)
            await recover_orphans(memory, state)  # the events of changes whose process died before queueing them
            dispatcher.start()
            app.state.service.sweep_orphans()  # and those of workers that die while this one runs
            app.state.ready = True
            yield
        finally:
            app.state.ready = False
            if hasattr(app.state, "service"):
                await app.state.service.close()
            await dispatcher.stop()
            await memory.close()
            state.close()

    app = FastAPI(title="graphmem", version="0.1.0", lifespan=lifespan,
                  description="Graph-first memory with mem0's platform API: `Authorization: Token <key>` on every "
                              "route but /health and /ready.")
    app.state.ready = False
    app.state.limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst)
    _handle_errors(app)
    app.include_router(routes_platform.health)
    app.include_router(routes_memories.router)
    app.include_router(routes_platform.router)
    ui_routes.add_explorer(app)
    app.add_middleware(RequestGuard, max_body=settings.max_body)
    return app


def tenant_of(request: Any, authorization: str | None) -> Tenant:
    tenant = authenticate(request.app.state.state, request.app.state.limiter, authorization)
    request.state.key_id = tenant.key_id
    return tenant


# Each error of graphmem's tree (and the server's own) as an HTTP status; the first match of an error's class wins.
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 400), (NotFoundError, 404), (Forbidden, 403), (Unauthorised, 401), (TooManyRequests, 429),
    (ProviderError, 502), (BackendError, 503), (GraphMemError, 400))


def _handle_errors(app: FastAPI) -> None:
    from fastapi.responses import JSONResponse

    def handler(status: int) -> Any:
        async def answer(_: Any, exc: Exception) -> JSONResponse:
            body: dict[str, Any] = {"detail": str(exc)}
            headers = None
            if isinstance(exc, ValidationError):
                body["field"] = exc.field
            if isinstance(exc, TooManyRequests):
                headers = {"Retry-After": str(exc.retry_after)}
            return JSONResponse(body, status_code=status, headers=headers)
        return answer

    for error, status in _STATUS:
        app.add_exception_handler(error, handler(status))
