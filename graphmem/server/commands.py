"""`graphmem serve` and `graphmem keys create|list|revoke` (registered on graphmem's typer app by cli.py).

    graphmem keys create --org acme --project p1 [--user-id alice ...]   # prints the key once
    graphmem keys list
    graphmem keys revoke key_0123abcd
    graphmem serve [--host 127.0.0.1] [--port 8000] [--workers N] [--config FILE] [--db DIR]

Keys live in the state file beside the store (see graphmem.server.app.state_path_for; `--state` moves
it), so `keys create` works while the server runs. FastAPI and uvicorn are imported inside `serve`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from graphmem.cli_commands import ConfigOption, DbOption, JsonOption, memory_config, settings_of

StateOption = Annotated[str | None, typer.Option("--state", help="The server's state file (keys, webhooks); "
                                                 "default beside the Kuzu store.")]


def _state(ctx: typer.Context, db: str | None, config: str | None, state: str | None) -> Any:
    from graphmem.server.app import state_path_for
    from graphmem.server.state import ServerState

    return ServerState(state_path_for(memory_config(settings_of(ctx, db, config)), state))


def keys_create(ctx: typer.Context,
                org: Annotated[str, typer.Option("--org", help="The organisation.")],
                project: Annotated[str, typer.Option("--project", help="The project (its own memories).")],
                user_id: Annotated[list[str] | None, typer.Option("--user-id", help="Restrict the key to these "
                                                                  "user ids (repeat).")] = None,
                state: StateOption = None, db: DbOption = None, config: ConfigOption = None,
                as_json: JsonOption = False) -> None:
    """Create an API key for ORG/PROJECT and print it (it is shown only this once)."""
    store = _state(ctx, db, config, state)
    try:
        key, record = store.create_key(org, project, user_id or None)
    finally:
        store.close()
    if settings_of(ctx, as_json=as_json).json:
        typer.echo(json.dumps({"key": key, "id": record.id, "org": org, "project": project,
                               "user_ids": list(record.user_ids or [])}))
    else:
        typer.echo(key)
        typer.echo(f"{record.id}: {org}/{project}" + (f" users {', '.join(record.user_ids)}" if record.user_ids
                                                      else ""), err=True)


def keys_list(ctx: typer.Context, state: StateOption = None, db: DbOption = None, config: ConfigOption = None,
              as_json: JsonOption = False) -> None:
    """List the keys (ids, tenants, restrictions; never the keys)."""
    store = _state(ctx, db, config, state)
    try:
        records = store.list_keys()
    finally:
        store.close()
    rows = [{"id": r.id, "org": r.org, "project": r.project, "user_ids": list(r.user_ids or []),
             "revoked": r.revoked_at is not None} for r in records]
    if settings_of(ctx, as_json=as_json).json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        users = f" users={','.join(row['user_ids'])}" if row["user_ids"] else ""
        typer.echo(f"{row['id']}  {row['org']}/{row['project']}{users}{'  REVOKED' if row['revoked'] else ''}")


def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id (keys list).")],
                state: StateOption = None, db: DbOption = None, config: ConfigOption = None) -> None:
    """Revoke a key: the server refuses it from its next request."""
    store = _state(ctx, db, config, state)
    try:
        store.revoke_key(key_id)
    finally:
        store.close()
    typer.echo(f"revoked {key_id}")


def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
          workers: Annotated[int, typer.Option("--workers", min=1, help="uvicorn workers: 1 with Kuzu (one "
                                               "process owns the store); several with Neo4j/Memgraph.")] = 1,
          rate_limit: Annotated[float, typer.Option("--rate-limit", min=1, help="Requests a minute per key "
                                                    "(bursts of a fifth of it); more get 429.")] = 600.0,
          max_body: Annotated[int, typer.Option("--max-body", min=1024, help="Largest request body in bytes "
                                                "(larger get 413).")] = 1_048_576,
          state: StateOption = None, db: DbOption = None, config: ConfigOption = None) -> None:
    """Serve mem0's platform API over this store (FastAPI + uvicorn), and the explorer page at /ui."""
    from graphmem.errors import ConfigError, MissingDependencyError

    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("the server needs uvicorn: pip install 'graphmem[server]'") from None
    from graphmem.config import MemoryConfig
    from graphmem.server.app import ServerSettings, create_app

    memory = memory_config(settings_of(ctx, db, config))
    if workers > 1 and MemoryConfig.parse(memory).graph_store.provider == "kuzu":
        raise ConfigError("Kuzu is owned by one process: serve it with one worker (Neo4j/Memgraph scale out)",
                          field="workers")
    settings = ServerSettings(state_path=state, max_body=max_body, rate_per_minute=rate_limit,
                              rate_burst=max(1, int(rate_limit // 5)))
    _log_requests()
    if workers > 1:
        from graphmem.server.workers import serve_workers

        serve_workers(memory, settings, host, port, workers)
        return
    uvicorn.run(create_app(memory, settings), host=host, port=port, log_level="info")


def _log_requests() -> None:
    """The server's JSON access lines to stderr (the library only logs; the command decides where to)."""
    import logging
    import sys

    logger = logging.getLogger("graphmem.server")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def register(app: typer.Typer) -> None:
    """Add `serve` and the `keys` group to graphmem's app."""
    app.command("serve")(serve)
    keys = typer.Typer(name="keys", help="API keys of the server (stored hashed beside the store).",
                       no_args_is_help=True)
    keys.command("create")(keys_create)
    keys.command("list")(keys_list)
    keys.command("revoke")(keys_revoke)
    app.add_typer(keys, name="keys")
