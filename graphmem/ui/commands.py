"""`graphmem ui`: serve the explorer page on this machine. `graphmem.cli` calls `register(app)`.
FastAPI and uvicorn (the `server` extra) are imported inside the command."""

from __future__ import annotations

from typing import Annotated

import typer

from graphmem.cli_commands import ConfigOption, DbOption, memory_config, settings_of
from graphmem.errors import MissingDependencyError


def ui(ctx: typer.Context,
       port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
       host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
       db: DbOption = None, config: ConfigOption = None) -> None:
    """Explore the store in a browser: search, the entity graph, a time slider, history."""
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("graphmem ui needs uvicorn: pip install 'graphmem[server]'") from None
    from graphmem.memory import AsyncMemory
    from graphmem.ui.app import create_app

    memory = AsyncMemory(memory_config(settings_of(ctx, db, config)))
    typer.echo(f"graphmem explorer on http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(memory, close_memory=True), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add `ui` to the graphmem app."""
    app.command("ui")(ui)
