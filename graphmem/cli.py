"""The `graphmem` command (typer + rich).

    graphmem demo                                   # a short conversation in a throw-away store
    graphmem add "I love pizza" --user alex
    graphmem search "food" --user alex --limit 5
    graphmem get-all --user alex --json             # --json: machine output; tables by default
    graphmem get|history|delete MEMORY_ID
    graphmem update MEMORY_ID "I love pasta"
    graphmem delete-all --user alex
    graphmem reset --yes
    graphmem cypher "MATCH (e:Entity) RETURN e.name LIMIT 5"   # read-only exploration of the store

Global options, before or after the command name: `--db PATH` (the Kuzu directory; else
GRAPHMEM_DIR), `--config FILE` (a JSON Memory config), `--json`.

The memory commands live in graphmem/cli_commands.py; the other surfaces add theirs (serve, keys,
mcp, export, import, ui) from their own modules through `register(app)`, listed in `_SURFACES`.
A GraphMemError (bad input, an unknown id, a locked store) prints one red line and exits with 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import typer

from graphmem import cli_commands
from graphmem.cli_commands import ConfigOption, DbOption, JsonOption, Settings, memory_config, settings_of
from graphmem.errors import GraphMemError

__all__ = ["Settings", "build_app", "main", "memory_config", "settings_of"]

# Modules that add commands to the app with `register(app: typer.Typer) -> None`. One that is not
# there (its surface not installed or not written yet) is skipped.
_SURFACES = ("graphmem.server.commands", "graphmem.mcp.commands", "graphmem.graph_commands", "graphmem.ui.commands")

# A user's mistake exits with 2, as a usage error does; Click's aborted prompt with 1.
USER_ERROR_EXIT = 2


def _global_options(ctx: typer.Context, db: DbOption = None, config: ConfigOption = None,
                    as_json: JsonOption = False) -> None:
    """Graph-first memory for AI agents, with mem0's API."""
    ctx.obj = Settings(db=db, config=config, json=as_json)


def _is_missing(error: ModuleNotFoundError, module: str) -> bool:
    """Whether `error` says that `module` itself (or a package holding it) is absent, rather than
    something the module imports."""
    parts = module.split(".")
    return error.name in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def register_surfaces(app: typer.Typer, modules: Sequence[str] = _SURFACES) -> list[str]:
    """Let each surface module that exists add its commands; the names of the ones that did."""
    registered = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if _is_missing(exc, name):
                continue
            raise  # the surface is there but broken: hiding that would only make its commands vanish
        module.register(app)
        registered.append(name)
    return registered


def build_app(surfaces: Sequence[str] = _SURFACES) -> typer.Typer:
    """The `graphmem` app: the memory commands and every installed surface's."""
    app = typer.Typer(name="graphmem", no_args_is_help=True, add_completion=False,
                      pretty_exceptions_enable=False,  # a bug's traceback stays plain; user errors have none
                      context_settings={"help_option_names": ["-h", "--help"]})
    app.callback()(_global_options)
    cli_commands.register(app)
    register_surfaces(app, surfaces)
    return app


def _fail(message: str) -> int:
    one_line = " ".join(message.split())  # a database's message may span lines; a user error is one line
    typer.secho(f"graphmem: {one_line}", fg=typer.colors.RED, err=True)
    return USER_ERROR_EXIT


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (`argv` without the program name; default sys.argv) and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # Standalone mode: typer shows usage errors (bad options, bad JSON in --filters/--config) and
        # aborted prompts itself, and always ends in SystemExit with the code.
        build_app()(args=args, prog_name="graphmem")
    except SystemExit as exc:
        return _exit_code(exc.code)
    except GraphMemError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return 0


def _exit_code(code: Any) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # sys.exit("message"): Python prints it and exits with 1
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
