"""The backend protocol: what orchestration asks of a graph store.

A backend runs named `.cypher` statements (see `cypher.py`) with bound
parameters, writes a whole plan in one transaction, and answers the two
searches whose syntax differs most between engines (vector top-k inside a
scope). Everything else is written once, above this layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from graphmem.scope import Scope

Row = dict[str, Any]
VectorTable = Literal["memory", "entity"]


@dataclass(frozen=True)
class Statement:
    """One named statement and its parameters; a write plan is a list of these."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def is_empty_batch(self) -> bool:
        """An UNWIND over no rows does nothing (and some engines refuse to bind it)."""
        rows = self.params.get("rows")
        return isinstance(rows, list) and not rows


class GraphBackend(Protocol):
    dialect: str

    async def open(self, dims: int) -> None:
        """Connect and create the schema and indexes if missing."""
        ...

    async def read(self, name: str, params: dict[str, Any]) -> list[Row]: ...

    async def write(self, statements: Sequence[Statement]) -> None:
        """Run every statement in one transaction: all or nothing."""
        ...

    async def vector_search(self, table: VectorTable, vector: list[float], k: int, scope: Scope) -> list[Row]:
        """Rows `{id, similarity}` (entity rows add `name`), best first, only inside the scope."""
        ...

    async def reset(self) -> None: ...

    async def close(self) -> None: ...
