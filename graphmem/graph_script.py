"""A scope's export as a Cypher script for Neo4j (cypher-shell or Browser): `export(format="cypher")`.

The script runs the statements a graphmem import runs (graph_io.plan), each under its `:param` line: the
values travel as parameters there too, written as Cypher literals only in those lines, and the statement
texts are the files of the neo4j dialect, unchanged. Memories are created in batches (graph_io/load_memories)
rather than one statement each.
"""

from __future__ import annotations

import json
import math
from typing import Any

from graphmem.backends.base import Statement
from graphmem.backends.cypher import CypherLibrary
from graphmem.graph_io import plan

_DIALECT = "neo4j"
_SHARED = ("bolt",)  # the Bolt engines' shared folder (graphmem/backends/_bolt.py SHARED_LAYERS)
_BATCH = 200


def cypher_script(snapshot: dict[str, Any]) -> str:
    """The script's text: a header, then `:param ...` lines and a statement per batch."""
    library = CypherLibrary(_DIALECT, shared=_SHARED)
    scope = json.dumps(snapshot.get("scope"))
    parts = [f"// graphmem export of scope {scope}: run with cypher-shell -f FILE, or paste into Neo4j Browser.\n"]
    for statement in _batched(plan(snapshot)):
        for name, value in statement.params.items():
            parts.append(f":param {name} => {literal(value)};\n")
        parts.append(library.get(statement.name).strip().rstrip(";") + ";\n\n")
    return "".join(parts)


def _batched(statements: list[Statement]) -> list[Statement]:
    """memory/create (one memory each) gathered into load_memories batches; the rest as they are."""
    memories = [s.params for s in statements if s.name == "memory/create"]
    rest = [s for s in statements if s.name != "memory/create"]
    loads = [Statement("graph_io/load_memories", {"rows": memories[i:i + _BATCH]})
             for i in range(0, len(memories), _BATCH)]
    first_edge = next((i for i, s in enumerate(rest) if s.name.startswith("event/")), len(rest))
    return rest[:first_edge] + loads + rest[first_edge:]


def literal(value: Any) -> str:
    """A JSON-like value as a Cypher literal: maps with back-quoted keys, strings JSON-escaped (Cypher reads
    the same escapes), null, booleans, numbers and lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{str(k).replace('`', '``')}`: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return json.dumps(str(value))
