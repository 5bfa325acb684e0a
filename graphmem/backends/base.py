"""The backend protocol: what orchestration asks of a graph store.

A backend runs named `.cypher` statements (see `cypher.py`) with bound
parameters, writes a whole plan in one transaction, and answers the two
searches whose syntax differs most between engines (vector top-k inside a
scope). Everything else is written once, above this layer.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from graphmem.backends.locks import WriteLocks
from graphmem.errors import ConfigError, EmbedderChangedWarning
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


ONE_MEMORY = "mem_"  # episode/add_one's parameters: the episode's own, then its memory's with this prefix


def added_episodes(statement: Statement) -> list[dict[str, Any]]:
    """The episode rows (each with its "memories") that an episode/add or episode/add_one statement creates."""
    if statement.name == "episode/add":
        rows: list[dict[str, Any]] = statement.params["rows"]
        return rows
    if statement.name != "episode/add_one":
        return []
    params = statement.params
    memory = {k[len(ONE_MEMORY):]: v for k, v in params.items() if k.startswith(ONE_MEMORY)}
    return [{**{k: v for k, v in params.items() if not k.startswith(ONE_MEMORY)}, "memories": [memory]}]


def dims_marker(stored: list[Row], dims: int, database: str, remedy: str) -> Statement | None:
    """The statement that records the embedding size in a new store, or None when the store has it already.

    A store holds one embedding size: opening it with an embedder of another size is a configuration
    error naming both (`database` says which store, `remedy` what to change).
    """
    if stored and int(stored[0]["value"]) != dims:
        raise ConfigError(f"the {database} holds {stored[0]['value']}-dim embeddings but the embedder makes "
                          f"{dims}-dim ones; use {remedy} or the same embedder", field="embedder")
    return None if stored else dims_statement(dims)


def dims_statement(dims: int) -> Statement:
    """Records the store's embedding size (on creation, and again after a reset)."""
    return Statement("admin/set_meta", {"key": "embedding_dims", "value": str(dims)})


def reset_statements(dims: int) -> list[Statement]:
    """`reset()`: the nodes (and so the edges) of graphmem's own labels, one label at a time, never
    `MATCH (n)`: an application's own tables in the same database stay. The dimension marker is written back."""
    labels = ("memories", "entities", "episodes", "events", "meta")
    return [*(Statement(f"admin/reset_{label}") for label in labels), dims_statement(dims)]


def embedder_marker(stored: list[Row], identity: str) -> Statement | None:
    """The statement that records which embedder makes a store's vectors, or None when it is recorded.

    Another one (another model, or the same one run with int8 weights against exact ones) only warns: its
    vectors are comparable enough to search with, but scores and the add's duplicate checks shift.
    """
    if stored and stored[0]["value"] != identity:
        warnings.warn(EmbedderChangedWarning(
            f"this store's vectors were made by the embedder {stored[0]['value']!r}, and it is used with "
            f"{identity!r}: similarities between the two shift; configure the first to keep the store uniform"),
            stacklevel=2)
    return None if stored else embedder_statement(identity)


def embedder_statement(identity: str) -> Statement:
    return Statement("admin/set_meta", {"key": "embedder", "value": identity})


class GraphBackend(Protocol):
    dialect: str
    # Held by a read-modify-write from its reads to its write (add, update, delete: the scope; delete_all and
    # reset: the whole store). Shared by every Memory of the process on one embedded store.
    locks: WriteLocks

    async def open(self, dims: int) -> None:
        """Connect and create the schema and indexes if missing."""
        ...

    async def read(self, name: str, params: dict[str, Any]) -> list[Row]: ...

    async def read_together(self, reads: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Row]]:
        """Several reads in one read transaction, so that they agree (an export's parts)."""
        ...

    async def write(self, statements: Sequence[Statement]) -> None:
        """Run every statement in one transaction: all or nothing."""
        ...

    async def vector_search(self, table: VectorTable, vector: list[float], k: int, scope: Scope,
                            context_vector_weight: float = 0.0, approximate: bool = False) -> list[Row]:
        """Rows `{id, similarity}` (entity rows add `name`), best first, only inside the scope. Memories with a
        context vector (ingest/context.py; Kuzu's only) are ranked by their similarity plus
        `context_vector_weight` times their context's; `similarity` stays their own. `approximate`: the rows
        feed a secondary ranking, and a backend that walks an approximate index may walk it shorter."""
        ...

    async def keyword_search(self, query: str, k: int, scope: Scope) -> list[Row]:
        """Rows `{id, score}` of valid memories by BM25 (stemmed, stop words out), best first, inside the scope."""
        ...

    async def keyword_coverage(self, query: str, scope: Scope) -> float | None:
        """The share of the query's telling terms (in at most half the scope's valid memories, or in none) that
        some of them hold, by the keyword search's analyser; None where the backend cannot tell cheaply."""
        ...

    async def memory_briefs(self, ids: list[str], scope: Scope) -> list[Row]:
        """`{id, text, actor_id, episode_ids, entity_ids, valid_at}` of the scope's valid memories among `ids`
        (others are left out)."""
        ...

    async def entities_named(self, names: list[str], scope: Scope) -> list[Row]:
        """`{id}` of the scope's entities whose normalised name or an alias is one of `names`."""
        ...

    async def memories_mentioning(self, entity_ids: list[str], max_degree: int, scope: Scope,
                                  per_entity: int | None = None) -> list[Row]:
        """`{entity_id, memory_id, degree}`: the scope's valid memories that mention each entity, left out for
        an entity more than `max_degree` memories mention (a hub); with `per_entity`, at most that many of each
        entity's (the first found)."""
        ...

    async def memories_between(self, start: str | None, end: str | None, k: int, scope: Scope) -> list[Row]:
        """`{id, valid_at}` of the scope's valid memories whose message time (`valid_at`, ISO-8601 UTC) is in
        [start, end) (None: open), latest first, at most `k`."""
        ...

    async def entities_by_names(self, names: list[str], scope: Scope) -> list[Row]:
        """`{id, name, name_norm, type, aliases, mentions}` of the entities of exactly this scope whose
        normalised name or an alias is one of `names`."""
        ...

    async def valid_hashes(self, hashes: list[str], scope: Scope) -> list[Row]:
        """`{hash, id}` of the valid memories of exactly this scope (not its sub-scopes) with these text hashes."""
        ...

    async def memory_rows(self, ids: list[str]) -> list[Row]:
        """Whole memory rows (the columns of `memory/get_many`) by id, in the order asked; unknown ids left out."""
        ...

    async def memories_of_episodes(self, episode_ids: list[str], scope: Scope) -> list[Row]:
        """`{episode_id, memory_id}`: the memories these episodes (of the scope) gave."""
        ...

    async def reset(self) -> None: ...

    async def close(self) -> None: ...
