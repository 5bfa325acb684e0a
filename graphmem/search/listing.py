"""get_all's listing: a scope's memories, newest first, that pass the filters and have not expired.

The store lists rows by scope (and, when the filters require a metadata string, only rows whose stored
metadata contains it: `memory/list_containing`); the filters' predicate decides in Python. Rows are read
in growing pages rather than the whole scope, since most listings want the newest few.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphmem.backends.base import GraphBackend
from graphmem.records import memory_record
from graphmem.scope import Scope

Keep = Callable[[dict[str, Any]], bool]
_FIRST_PAGE = 200
_GROWTH = 4


async def list_memories(backend: GraphBackend, scope: Scope, limit: int, keep: Keep | None, *,
                        selective: bool = False, contains: str | None = None) -> list[dict[str, Any]]:
    """Up to `limit` records of the scope's valid memories that `keep` (None: all) accepts, newest first.
    `selective`: `keep` is expected to refuse many rows (filters), so the first page is larger."""
    if limit <= 0:
        return []
    name, params = ("memory/list", scope.params()) if contains is None else \
        ("memory/list_containing", {**scope.params(), "contains": contains})
    fetch = max(limit * _GROWTH, _FIRST_PAGE) if selective else limit
    while True:
        rows = await backend.read(name, {**params, "limit": fetch})
        records = [memory_record(row) for row in rows]
        results = records if keep is None else [r for r in records if keep(r)]
        if len(results) >= limit or len(rows) < fetch:
            return results[:limit]
        fetch *= _GROWTH
