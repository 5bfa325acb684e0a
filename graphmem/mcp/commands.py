"""`graphmem mcp`: serve graphmem's tools over MCP, stdio by default, streamable HTTP with `--http`.

    graphmem mcp --user-id alice                    # stdio, for Claude Desktop / Claude Code / Cursor
    graphmem mcp --http --port 8765 --user-id alice # http://127.0.0.1:8765/mcp

The scope a tool call gets when it names none comes from the flags, else GRAPHMEM_USER_ID /
GRAPHMEM_AGENT_ID / GRAPHMEM_RUN_ID. `--db` / `--config` (here or before the command name) choose the store.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from graphmem.errors import ConfigError, GraphMemError
from graphmem.scope import Scope


def _config(db: str | None, config_file: str | None) -> dict[str, Any]:
    """The Memory config: the JSON file's, with `db` as the Kuzu directory."""
    config: dict[str, Any] = {}
    if config_file:
        try:
            config = json.loads(Path(config_file).expanduser().read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read the config file {config_file}: {exc}", field="config") from None
    if db:
        config["graph_store"] = {"provider": "kuzu", "config": {"db": db}}
    return config


async def _serve(config: dict[str, Any], scope: Scope, http: bool, host: str, port: int) -> None:
    from graphmem.mcp.server import serve_http, serve_stdio
    from graphmem.memory import AsyncMemory

    memory = AsyncMemory(config)
    try:
        await memory.connect()  # a store that cannot be opened fails now, not at the first call
        if http:
            await serve_http(memory, scope, host, port)
        else:
            await serve_stdio(memory, scope)
    finally:
        await memory.close()


def mcp_command(
    ctx: typer.Context,
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP instead of stdio.")] = False,
    port: Annotated[int, typer.Option("--port", help="The HTTP port.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="The HTTP address to listen on.")] = "127.0.0.1",
    user_id: Annotated[str | None, typer.Option("--user-id", envvar="GRAPHMEM_USER_ID",
                                                help="The user of calls that name none.")] = None,
    agent_id: Annotated[str | None, typer.Option("--agent-id", envvar="GRAPHMEM_AGENT_ID",
                                                 help="The agent of calls that name none.")] = None,
    run_id: Annotated[str | None, typer.Option("--run-id", envvar="GRAPHMEM_RUN_ID",
                                               help="The run (session) of calls that name none.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Kuzu database directory.")] = None,
    config: Annotated[str | None, typer.Option("--config", help="JSON file with a Memory config.")] = None,
) -> None:
    """Serve graphmem's memory and graph tools to MCP clients (stdio, or streamable HTTP with --http)."""
    parent = ctx.obj  # the global --db / --config given before the command name, if the main CLI took them
    settings = _config(db or getattr(parent, "db", None), config or getattr(parent, "config", None))
    scope = Scope.of(user_id, agent_id, run_id, required=False)
    asyncio.run(_serve(settings, scope, http, host, port))


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp_command)


def main(argv: list[str] | None = None) -> int:
    """`python -m graphmem.mcp`: the one command, standalone."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    try:
        app(args=argv, prog_name="graphmem-mcp")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except GraphMemError as exc:
        print(f"graphmem mcp: {exc}", file=sys.stderr)
        return 2
    return 0
