"""The explorer's web app: the page and a small JSON API, a thin layer over `AsyncMemory`.

    GET    /                       the page (static/index.html); static/ holds its JS, CSS and vendored library
    GET    /api/scopes             the scopes holding memories
    GET    /api/search?q=...       search results with scores and each signal's share (explain), and relations
    GET    /api/graph              the scope's entities, memories and relations, now or at `as_of`
    GET    /api/memories/{id}      one memory, the messages it came from, and its history
    PUT    /api/memories/{id}      edit its text: {"text": "..."}
    DELETE /api/memories/{id}      delete it

Every call names its scope (`user_id`, `agent_id`, `run_id` query parameters; `app_id` on a server). The page
uses relative URLs, so it works at `/` and under a prefix. A GraphMemError becomes a 4xx answer with
`{"detail", "field"}`.

Two apps serve it. `create_app(memory)` (run by `graphmem ui`) is the page over one local store, with no keys.
`graphmem serve` serves the same page at `/ui/` and this API at `/ui/api/...` (graphmem/server/ui_routes.py):
there every API call needs `Authorization: Token <key>` and sees only that key's tenant. The page learns which
from its `<body data-auth>`: `none` here, `token` from the server (`page_html`), and then asks for a key.
Both take their routes from `graphmem.ui.routes.api_router(explorer_of)`, each with its own way to find a
request's explorer (graphmem/ui/explorer.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmem.errors import GraphMemError, MissingDependencyError, NotFoundError, ValidationError
from graphmem.ui.explorer import LocalExplorer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from graphmem.memory import AsyncMemory

STATIC = Path(__file__).with_name("static")


# The page runs only its own files (no inline script, no CDN): a script injected into it would not run, and it
# is framed by no other site. Inline styles stay allowed: cytoscape.js sets some.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(memory: AsyncMemory, *, close_memory: bool = False) -> FastAPI:
    """The explorer over `memory`; with `close_memory`, the app closes it when it shuts down."""
    try:
        from fastapi import FastAPI
    except ImportError:
        raise MissingDependencyError("the explorer needs FastAPI: pip install 'graphmem[server]'") from None
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    from graphmem.ui.routes import api_router

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
        return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)  # data-auth="none": no key asked

    explorer = LocalExplorer(memory)
    app.include_router(api_router(lambda _: explorer), prefix="/api")
    return app


@cache
def page_html(auth: str) -> str:
    """index.html telling the page how to call its API: `none`, or `token` (ask for a key, send it)."""
    html = (STATIC / "index.html").read_text("utf-8")
    marker = '<body data-auth="none">'
    if marker not in html:  # the page would silently never ask for a key
        raise RuntimeError(f"static/index.html lost its {marker}")
    return html.replace(marker, f'<body data-auth="{auth}">')
