"""The memory commands of `graphmem`: add, search, get, get-all, update, delete, delete-all, history,
reset, cypher and demo, each a thin layer over `graphmem.Memory`.

Every command takes the global options (`--db`, `--config`, `--json`) after its name too; the ones
given before the command name (stored in `ctx.obj` by graphmem.cli) count where a command leaves
them out. Surface modules (server, mcp, ...) read the same settings with `settings_of(ctx)` and
`memory_config(settings)`. graphmem itself, Kuzu and the models are imported inside the commands.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphmem import cli_output as out
from graphmem.errors import BackendError, ConfigError, NotFoundError

if TYPE_CHECKING:
    from graphmem.sync import Memory


@dataclass(frozen=True)
class Settings:
    """The global options: where the store is, a config file, and whether to print JSON."""

    db: str | None = None
    config: str | None = None
    json: bool = False


DbOption = Annotated[str | None, typer.Option("--db", help="Kuzu database directory (default "
                                              "$GRAPHMEM_DIR/kuzu, else ~/.graphmem/kuzu).")]
ConfigOption = Annotated[str | None, typer.Option("--config", help="JSON file with a Memory config "
                                                  "(mem0's keys).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
UserOption = Annotated[str | None, typer.Option("--user-id", "--user", help="The user's id.")]
AgentOption = Annotated[str | None, typer.Option("--agent-id", "--agent", help="The agent's id.")]
RunOption = Annotated[str | None, typer.Option("--run-id", "--run", help="The run's (session's) id.")]
FiltersOption = Annotated[str | None, typer.Option("--filters", help='mem0 filters as a JSON object, e.g. '
                                                   '\'{"AND": [{"topic": "food"}]}\'.')]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="At most this many memories.")]
MemoryIdArgument = Annotated[str, typer.Argument(help="The memory's id.", show_default=False)]


def settings_of(ctx: typer.Context, db: str | None = None, config: str | None = None,
                as_json: bool = False) -> Settings:
    """The command's own global options over the ones given before the command name."""
    base = ctx.find_object(Settings) or Settings()
    return Settings(db=db or base.db, config=config or base.config, json=as_json or base.json)


def json_object(text: str | None, option: str) -> dict[str, Any] | None:
    """A JSON object given on the command line; bad JSON is a usage error naming the option."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                                 param_hint=f"'{option}'") from None
    if not isinstance(value, dict):
        raise typer.BadParameter("must be a JSON object", param_hint=f"'{option}'")
    return value


def iso_datetime(text: str | None, option: str) -> datetime | None:
    """An ISO-8601 time given on the command line; a bad one is a usage error naming the option."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"not an ISO-8601 time: {text!r}", param_hint=f"'{option}'") from None


def memory_config(settings: Settings) -> dict[str, Any]:
    """The Memory config the options name: the --config file, with --db as the Kuzu directory."""
    config: dict[str, Any] = {}
    if settings.config:
        try:
            text = Path(settings.config).expanduser().read_text("utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {settings.config}: {exc.strerror}",
                                     param_hint="'--config'") from None
        config = json_object(text, "--config") or {}
    if settings.db:
        store = config.get("graph_store")
        if isinstance(store, dict) and store.get("provider", "kuzu") == "kuzu":
            store["config"] = {**(store.get("config") or {}), "db": settings.db}
        else:  # --db names a Kuzu directory, whatever store the file configured
            config["graph_store"] = {"provider": "kuzu", "config": {"db": settings.db}}
    return config


def open_memory(settings: Settings) -> AbstractContextManager[Memory]:
    from graphmem.sync import Memory

    return Memory(memory_config(settings))


def _show(settings: Settings, value: Any, table: Callable[[Any], None]) -> None:
    """`value` as JSON under --json, else drawn by `table` for people."""
    if settings.json:
        out.print_json(value)
    else:
        table(value)


# -- commands --------------------------------------------------------------------------------


def add(ctx: typer.Context, text: Annotated[str, typer.Argument(help="What was said.", show_default=False)],
        user: UserOption = None, agent: AgentOption = None, run: RunOption = None,
        metadata: Annotated[str | None, typer.Option(help="A JSON object stored with the memories.")] = None,
        infer: Annotated[bool, typer.Option("--infer/--no-infer",
                                            help="Extract facts (default), or store the text as it is.")] = True,
        timestamp: Annotated[str | None, typer.Option(help="When it was said: ISO-8601 or Unix seconds "
                                                      "(default now).")] = None,
        db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Remember TEXT: facts, entities and relations go into the graph."""
    settings = settings_of(ctx, db, config, as_json)
    meta = json_object(metadata, "--metadata")
    with open_memory(settings) as memory:
        added = memory.add(text, user_id=user, agent_id=agent, run_id=run, metadata=meta, infer=infer,
                           timestamp=timestamp)
    _show(settings, added, out.print_added)


def search(ctx: typer.Context, query: Annotated[str, typer.Argument(help="What to look for.", show_default=False)],
           user: UserOption = None, agent: AgentOption = None, run: RunOption = None,
           filters: FiltersOption = None, limit: LimitOption = 10,
           threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0,
                                                           help="Only memories scoring at least this.")] = None,
           as_of: Annotated[str | None, typer.Option(help="Answer with what was valid then (ISO-8601; "
                                                     "naive is UTC).")] = None,
           db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Search the scope's memories and relations (no LLM call)."""
    settings = settings_of(ctx, db, config, as_json)
    conditions = json_object(filters, "--filters")
    when = iso_datetime(as_of, "--as-of")
    with open_memory(settings) as memory:
        found = memory.search(query, user_id=user, agent_id=agent, run_id=run, filters=conditions,
                              limit=limit, threshold=threshold, as_of=when)
    _show(settings, found, lambda value: out.print_memories(value, scored=True))


def get(ctx: typer.Context, memory_id: MemoryIdArgument,
        db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show one memory."""
    settings = settings_of(ctx, db, config, as_json)
    with open_memory(settings) as memory:
        record = memory.get(memory_id)
    if record is None:
        raise NotFoundError(f"no memory with id {memory_id!r}")
    _show(settings, record, out.print_record)


def get_all(ctx: typer.Context, user: UserOption = None, agent: AgentOption = None, run: RunOption = None,
            filters: FiltersOption = None, limit: LimitOption = 100,
            db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List the scope's memories (newest first) and its relations."""
    settings = settings_of(ctx, db, config, as_json)
    conditions = json_object(filters, "--filters")
    with open_memory(settings) as memory:
        found = memory.get_all(user_id=user, agent_id=agent, run_id=run, filters=conditions, limit=limit)
    _show(settings, found, out.print_memories)


def update(ctx: typer.Context, memory_id: MemoryIdArgument,
           text: Annotated[str | None, typer.Argument(help="The memory's new text (default: kept).",
                                                      show_default=False)] = None,
           metadata: Annotated[str | None, typer.Option(help="A JSON object replacing the metadata.")] = None,
           db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Replace a memory's text, its metadata, or both (its history keeps the old text)."""
    settings = settings_of(ctx, db, config, as_json)
    meta = json_object(metadata, "--metadata")
    if text is None and meta is None:
        raise typer.BadParameter("give the new TEXT, --metadata, or both", param_hint="'TEXT'")
    with open_memory(settings) as memory:  # no TEXT: mem0's update(memory_id, metadata=...) keeps the text
        done = memory.update(memory_id, text, meta)
    _show(settings, done, lambda value: out.print_message(value["message"]))


def delete(ctx: typer.Context, memory_id: MemoryIdArgument,
           db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Delete one memory and the relations drawn from it (its history stays)."""
    settings = settings_of(ctx, db, config, as_json)
    with open_memory(settings) as memory:
        done = memory.delete(memory_id)
    _show(settings, done, lambda value: out.print_message(value["message"]))


def delete_all(ctx: typer.Context, user: UserOption = None, agent: AgentOption = None, run: RunOption = None,
               db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Delete every memory, entity and episode of a scope (give at least one id)."""
    settings = settings_of(ctx, db, config, as_json)
    with open_memory(settings) as memory:
        done = memory.delete_all(user_id=user, agent_id=agent, run_id=run)
    _show(settings, done, lambda value: out.print_message(value["message"]))


def history(ctx: typer.Context, memory_id: MemoryIdArgument,
            db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """A memory's ADD / UPDATE / DELETE events, oldest first."""
    settings = settings_of(ctx, db, config, as_json)
    with open_memory(settings) as memory:
        events = memory.history(memory_id)
    _show(settings, events, out.print_history)


def reset(ctx: typer.Context,
          yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
          db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Wipe the whole store: every scope's memories, entities, episodes and history."""
    settings = settings_of(ctx, db, config, as_json)
    if not yes:
        typer.confirm("Delete every memory of every user in this store?", abort=True)
    with open_memory(settings) as memory:
        memory.reset()
    _show(settings, {"message": "Memory store reset."}, lambda value: out.print_message(value["message"]))


def cypher(ctx: typer.Context,
           query: Annotated[str, typer.Argument(help="One read-only Cypher statement.", show_default=False)],
           params: Annotated[str | None, typer.Option(help="A JSON object of query parameters.")] = None,
           with_embeddings: Annotated[bool, typer.Option(help="Keep embedding vectors in the rows.")] = False,
           db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Run a read-only Cypher query on the Kuzu store (exploration cannot change it)."""
    settings = settings_of(ctx, db, config, as_json)
    rows = run_read_only(settings, query, json_object(params, "--params") or {})
    if not with_embeddings:
        rows = without_embeddings_rows(rows)
    _show(settings, rows, out.print_rows)


def without_embeddings_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [out.without_embeddings(row) for row in rows]


def run_read_only(settings: Settings, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of `query` on the Kuzu store, opened read-only, so that a query cannot write."""
    import kuzu

    from graphmem.config import KuzuConfig, MemoryConfig

    store = MemoryConfig.parse(memory_config(settings)).graph_store.config
    if not isinstance(store, KuzuConfig):
        raise ConfigError("graphmem cypher reads a Kuzu store; query a Bolt server with its own browser",
                          field="graph_store.provider")
    path = str(Path(store.db).expanduser())
    try:
        database = kuzu.Database(path, read_only=True)
    except RuntimeError as exc:
        if "lock" in str(exc).lower():
            raise BackendError(f"the Kuzu store at {path!r} is in use by another process (one process owns a "
                               "store: stop it, or share the store through one server, graphmem serve)") from None
        raise BackendError(f"cannot open the Kuzu database at {path!r} read-only: {exc}") from None
    try:
        result = kuzu.Connection(database).execute(query, params)
        rows: list[dict[str, Any]] = []
        for item in result if isinstance(result, list) else [result]:
            columns = item.get_column_names()
            rows.extend(dict(zip(columns, row, strict=True)) for row in item.get_all())
        return rows
    except RuntimeError as exc:
        raise BackendError(f"Kuzu: {exc}") from None
    finally:
        database.close()


DEMO_CONVERSATION = [
    {"role": "user", "content": "Hi, I'm Alex. I'm a vegetarian and I love pizza, but I hate broccoli."},
    {"role": "assistant", "content": "Nice to meet you, Alex! I'll remember your food preferences."},
    {"role": "user", "content": "John works at OpenAI and is friends with Sarah."},
    {"role": "user", "content": "Sarah lives in Berlin and plays the violin."},
]
DEMO_QUERIES = ["food preferences", "Who does John work with?", "Where does Sarah live?"]


def demo(ctx: typer.Context, db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Add a short conversation to a throw-away store (unless --db) and search it."""
    settings = settings_of(ctx, db, config, as_json)
    with tempfile.TemporaryDirectory(prefix="graphmem-demo-") as folder:
        chosen = memory_config(settings)
        chosen.setdefault("graph_store", {"provider": "kuzu", "config": {"db": str(Path(folder) / "db")}})
        from graphmem.sync import Memory

        with Memory(chosen) as memory:
            if not settings.json:
                out.print_message("Adding a short conversation for user 'alex'...")
            added = memory.add(DEMO_CONVERSATION, user_id="alex")
            searches = {query: memory.search(query, user_id="alex", limit=3) for query in DEMO_QUERIES}
    if settings.json:
        out.print_json({"added": added, "searches": searches})
        return
    out.print_added(added)
    for query, found in searches.items():
        out.print_message(f"\nsearch({query!r}):")
        found["relations"] = found["relations"][:5]
        out.print_memories(found, scored=True)


COMMANDS: dict[str, Callable[..., None]] = {
    "demo": demo, "add": add, "search": search, "get": get, "get-all": get_all, "update": update, "delete": delete,
    "delete-all": delete_all, "history": history, "reset": reset, "cypher": cypher}


def register(app: typer.Typer) -> None:
    """Add the memory commands to `app`."""
    for name, command in COMMANDS.items():
        app.command(name)(command)
