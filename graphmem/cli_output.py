"""What the `graphmem` command prints: JSON for machines (`--json`), rich tables for people.

Rich is imported inside the functions: `graphmem.cli` must stay cheap to import, and only a
command that prints a table needs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from graphmem.records import VECTOR_PROPERTIES

# Columns of a memory record shown in a table, in order; the rest stays available through --json.
# A memory's id is printed under its text (see _with_ids): a column of its own would take half of
# an 80-column terminal.
_MEMORY_COLUMNS = ("memory", "user_id", "agent_id", "run_id", "created_at")
# Shown only where rows differ on them: the scope the command named need not fill the screen's width.
_SCOPE_COLUMNS = {"user_id", "agent_id", "run_id"}
_RELATION_COLUMNS = ("source", "relationship", "target")
_HISTORY_COLUMNS = ("event", "old_memory", "new_memory", "created_at")
_NARROW_COLUMNS = {"id", "score", "event"}
_WIDE_COLUMNS = {"memory", "old_memory", "new_memory", "value", "previous_memory"}


def print_json(value: Any) -> None:
    """One JSON document on stdout; non-JSON values (datetimes, UUIDs) as their text."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def without_embeddings(value: Any) -> Any:
    """`value` with every vector property dropped (`embedding`, a memory's `parts` and `context_embedding`:
    nodes in Cypher rows carry their vectors, which fill a screen with numbers nobody reads); a column named
    `x.embedding` (or `x.parts`, `x.context_embedding`) is dropped too."""
    if isinstance(value, dict):
        return {key: without_embeddings(item) for key, item in value.items()
                if not _is_embedding_key(key)}
    if isinstance(value, list):
        return [without_embeddings(item) for item in value]
    return value


def _is_embedding_key(key: Any) -> bool:
    return isinstance(key, str) and key.rpartition(".")[2] in VECTOR_PROPERTIES


def _cell(column: str, value: Any) -> Any:
    """A table cell: text as it is, nothing for None, anything structured as compact JSON; a time as its
    day (--json keeps it whole), so that the text columns get the width."""
    from rich.text import Text

    if isinstance(value, Text):
        return value
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10] if column.endswith("_at") else value
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):  # a node or relationship: its set properties, without Kuzu's internal id
        value = {k: v for k, v in value.items() if v is not None and k != "_id"}
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _console() -> Any:
    from rich.console import Console

    return Console()  # resolves sys.stdout when printing, so captured output (tests, pipes) gets it


def print_table(title: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """A rich table of `rows` showing `columns`; columns every row leaves empty are left out."""
    from rich import box
    from rich.table import Table

    rows = list(rows)
    shown = [c for c in columns if _worth_showing(c, rows)] or list(columns)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD,
                  expand=any(c in _WIDE_COLUMNS for c in shown))  # the text takes the width the rest leave
    for column in shown:
        # An id must stay copyable: folded onto a second line, never cut with an ellipsis.
        table.add_column(column, overflow="fold", no_wrap=column in _NARROW_COLUMNS or column.endswith("_at"),
                         ratio=1 if column in _WIDE_COLUMNS else None)
    for row in rows:
        table.add_row(*(_cell(c, row.get(c)) for c in shown))
    if not rows:
        table.caption = "(none)"
    _console().print(table)


def _worth_showing(column: str, rows: list[dict[str, Any]]) -> bool:
    values = [row.get(column) for row in rows]
    if column in _SCOPE_COLUMNS:
        return len(set(map(str, values))) > 1
    return any(value not in (None, "") for value in values)


def _with_ids(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose `memory` cell also shows the memory's id, dimmed, on a line of its own (copyable whole)."""
    from rich.text import Text

    return [{**row, "memory": Text.assemble(str(row.get("memory") or ""), ("\n" + str(row["id"]), "dim"))}
            if row.get("id") else row for row in rows]


def print_message(text: str) -> None:
    _console().print(text, markup=False, highlight=False)


def print_memories(found: dict[str, Any], *, scored: bool = False) -> None:
    """mem0's {"results": [...], "relations": [...]} as two tables (search adds the score columns)."""
    columns = (("score", *_MEMORY_COLUMNS) if scored else _MEMORY_COLUMNS)
    print_table("memories", columns, _with_ids(found.get("results", [])))
    relations = found.get("relations", [])
    if isinstance(relations, list) and relations:
        print_table("relations", (*_RELATION_COLUMNS, "score") if scored else _RELATION_COLUMNS, relations)


def print_added(added: dict[str, Any]) -> None:
    """add()'s result: the memory events, then the relations the add drew."""
    print_table("memories", ("memory", "event", "previous_memory"), _with_ids(added.get("results", [])))
    relations = added.get("relations", {})
    drawn = relations.get("added_entities", []) if isinstance(relations, dict) else []
    if drawn:
        print_table("relations added", _RELATION_COLUMNS, drawn)


def print_record(record: dict[str, Any]) -> None:
    """One memory, a row per field."""
    print_table("memory", ("field", "value"), ({"field": k, "value": v} for k, v in record.items()))


def print_history(events: list[dict[str, Any]]) -> None:
    print_table("history", _HISTORY_COLUMNS, events)


def print_rows(rows: list[dict[str, Any]]) -> None:
    """Rows of a Cypher query: their own columns, in the order the query returned them."""
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    print_table("rows", columns, rows)
