"""`graphmem export` and `graphmem import`: a scope's graph to a file (json, graphml, gexf, cypher) and a
file back into a store, with a progress bar. Thin layers over `Memory.export` / `Memory.import_`;
`graphmem.cli` calls `register(app)`. graphmem itself is imported inside the commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphmem.cli_commands import (
    AgentOption,
    ConfigOption,
    DbOption,
    JsonOption,
    RunOption,
    UserOption,
    open_memory,
    settings_of,
)

if TYPE_CHECKING:
    from rich.progress import Progress

FormatOption = Annotated[str, typer.Option("--format", "-f", help="json, graphml, gexf or cypher (Neo4j script).")]
FileArgument = Annotated[Path, typer.Argument(help="The file to write or read.", show_default=False)]
_STAGES = {"read": "reading the file", "embed": "embedding texts", "write": "writing the graph"}


def export_command(ctx: typer.Context, file: FileArgument, user: UserOption = None, agent: AgentOption = None,
                   run: RunOption = None, fmt: FormatOption = "json",
                   embeddings: Annotated[bool, typer.Option(help="Keep the vectors (else the importing "
                                                                 "store embeds again).")] = False,
                   db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Write a scope's graph (memories, entities, relations, history) to FILE."""
    from graphmem import cli_output as out

    settings = settings_of(ctx, db, config, as_json)
    with open_memory(settings) as memory:
        written = memory.export(file, format=fmt, user_id=user, agent_id=agent, run_id=run, embeddings=embeddings)
    if settings.json:
        out.print_json(written)
    else:
        typer.echo(f"exported {written['memories']} memories, {written['entities']} entities, "
                   f"{written['relations']} relations to {written['path']} ({written['format']})")


def import_command(ctx: typer.Context, file: FileArgument,
                   fmt: Annotated[str | None, typer.Option("--format", "-f", help="json, graphml or gexf "
                                                           "(default: the file's suffix).")] = None,
                   db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Load a file written by `graphmem export` into the store (ids, validity and history kept)."""
    from rich.console import Console
    from rich.progress import Progress

    from graphmem import cli_output as out

    settings = settings_of(ctx, db, config, as_json)
    console = Console(stderr=True)  # the bar goes to stderr: stdout keeps only the result, for pipes
    with open_memory(settings) as memory, Progress(console=console, transient=True,
                                                   disable=settings.json or not console.is_terminal) as bar:
        loaded = memory.import_(file, format=fmt, progress=_reporter(bar))
    if settings.json:
        out.print_json(loaded)
    else:
        typer.echo(f"imported {loaded['memories']} memories, {loaded['entities']} entities, "
                   f"{loaded['relations']} relations from {file}")


def _reporter(bar: Progress) -> Any:
    """A progress callback (stage, done, total) that moves one task per stage. It is called from the
    Memory's loop thread; rich's Progress is thread-safe."""
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(_STAGES.get(stage, stage), total=max(total, 1))
        bar.update(tasks[stage], completed=done, total=max(total, 1))

    return report


def register(app: typer.Typer) -> None:
    """Add `export` and `import` to the graphmem app."""
    app.command("export")(export_command)
    app.command("import")(import_command)
