"""Kuzu writes: a statement's parameters bound as Kuzu reads them fastest, big adds in runs, and what a commit
changes in the loaded scopes (graphmem/inprocess/), made before the commit and applied right after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

from graphmem.backends.base import ONE_MEMORY, Statement, added_episodes
from graphmem.inprocess.cache import ScopeCache
from graphmem.inprocess.loads import ScopeUpdate
from graphmem.inprocess.scopes import ENTITY_COLUMNS, ROWS_PER_STEP
from graphmem.inprocess.similarity import present, split_parts
from graphmem.inprocess.vectors import VectorRow
from graphmem.pacing import Pacer, slices
from graphmem.scope import Scope

# What memory/get_many returns; loaded scopes hold it so that a search's results are read from RAM.
MEMORY_COLUMNS = ("id", "text", "hash", "metadata", "memory_type", "user_id", "agent_id", "run_id", "actor_id",
                  "role", "created_at", "updated_at", "valid_at", "invalid_at", "episode_ids", "entity_ids")
MEMORIES_PER_RUN = 256  # new memories per episode/add run (see runs_of): ~10 ms of binding each
# The vectors kept in a list column (FLOAT[], not FLOAT[dims]): none is written as an empty list, never as a
# null (see "Kuzu keeps no null in a list column" in cypher/README.md); readers take both as none.
_EMPTY_NOT_NULL = frozenset({"parts", ONE_MEMORY + "parts", "context_embedding", ONE_MEMORY + "context_embedding"})
_VECTOR_KEYS = _EMPTY_NOT_NULL | {"embedding", ONE_MEMORY + "embedding"}
# Statements that change nothing a loaded scope holds (embeddings, texts, names, a memory's lookup lists);
# after any other unknown one, loaded scopes are dropped and reloaded.
_SCOPE_NEUTRAL = frozenset({
    "episode/create", "episode/delete_in_scope", "event/create",
    "event/link", "event/set_end",
    "memory/link_episode", "memory/link_entities", "relation/create",
    "relation/delete_of_memory", "relation/invalidate", "thread/start", "thread/advance", "admin/set_meta",
})


def vector_row(row: dict[str, Any]) -> VectorRow:
    """A memory or entity row (as loaded, or as the parameters that wrote it) for the loaded scopes."""
    columns = MEMORY_COLUMNS if "hash" in row else ENTITY_COLUMNS if "name_norm" in row else ()
    record = {column: row.get(column) for column in columns} if columns else None
    return VectorRow(id=row["id"], owner=(row["user_id"], row["agent_id"], row["run_id"]),
                     embedding=row["embedding"], name=row.get("name"), names=_names(row), record=record,
                     parts=split_parts(row.get("parts"), row["embedding"]),
                     context=present(row.get("context_embedding")))


def held_memory(row: dict[str, Any]) -> VectorRow:
    """A memory row (with its vectors or not) as a loaded scope holds it once its matrices have the vectors:
    `without_vectors(vector_row(row))` (scopes.py) made at once, for a load by column (inprocess/loaded_rows.py).
    A row of exactly MEMORY_COLUMNS, in their order, is its own record (memory/hashed_in_scope's, its hashes taken
    out: ~1 µs a row less of a 100k load); it is the caller's to give away."""
    record = row if tuple(row) == MEMORY_COLUMNS else {column: row.get(column) for column in MEMORY_COLUMNS}
    return VectorRow(row["id"], (row["user_id"], row["agent_id"], row["run_id"]), None, row.get("name"),
                     _names(row), record)


def _names(row: dict[str, Any]) -> list[str]:
    if "name_norm" not in row and "aliases" not in row:  # a memory's row (the usual: skipped at once)
        return []
    return [n for n in (row.get("name_norm"), *(row.get("aliases") or ())) if n]


@cache
def _vector_format(dims: int) -> str:
    return "[" + ",".join(["%.9g"] * dims) + "]"


def _vector_text(vector: Any, empty: str | None) -> Any:
    """A vector as the text Kuzu's `cast(... AS FLOAT[])` reads back exactly ('%.9g' round-trips a float32).

    Kuzu 0.11's Python binding converts a list parameter float by float: ~1 ms for 384 floats, which
    was most of an add's write. Formatting here and the cast there take ~0.4 ms together.
    """
    if vector is None:
        # An entity stored without an embedding stays NULL (a FLOAT[dims] array holds nulls well); a memory
        # without sentence or context vectors gets '[]' (_EMPTY_NOT_NULL).
        return empty
    if not isinstance(vector, list | tuple):
        return vector  # text already
    return _vector_format(len(vector)) % tuple(vector)


def bind_vectors(params: Any, pacer: Pacer) -> Any:
    """The parameters with every `embedding` in them (of the statement, of its rows, of their memories) as text."""
    if isinstance(params, list):
        return [bind_vectors(item, pacer) for item in params]
    if not isinstance(params, dict):
        return params
    pacer.tick()  # thousands of rows: ~0.3 ms of formatting each, in the writer's thread
    return {key: _vector_text(value, empty="[]" if key in _EMPTY_NOT_NULL else None) if key in _VECTOR_KEYS
            else bind_vectors(value, pacer) for key, value in params.items()}


def runs_of(statement: Statement) -> Iterator[tuple[str, dict[str, Any]]]:
    """The statement in runs of at most MEMORIES_PER_RUN new memories (episode/add; others run whole).

    Kuzu's Python binding converts a statement's parameters holding the GIL: one message that became
    3,779 memories was 100 ms of preparing and as much of binding, during which another scope's
    get_all waited. The episode/add runs carry whole episodes; an episode with more memories than a
    run holds goes first with its first ones, and episode/add_more adds the rest under it."""
    if statement.name != "episode/add":
        yield statement.name, statement.params
        return
    batch: list[dict[str, Any]] = []
    held = 0
    for episode in statement.params["rows"]:
        memories: list[dict[str, Any]] = episode["memories"]
        if batch and held + len(memories) > MEMORIES_PER_RUN:
            yield "episode/add", {"rows": batch}
            batch, held = [], 0
        batch.append({**episode, "memories": memories[:MEMORIES_PER_RUN]})
        held += min(len(memories), MEMORIES_PER_RUN)
        if len(memories) > MEMORIES_PER_RUN:
            yield "episode/add", {"rows": batch}
            batch, held = [], 0
            for rest in slices(memories[MEMORIES_PER_RUN:], MEMORIES_PER_RUN):
                yield "episode/add_more", {"episode_id": episode["id"], "rows": rest}
    if batch:
        yield "episode/add", {"rows": batch}


def scope_updates(statements: Sequence[Statement]) -> list[ScopeUpdate]:
    """What the statements change in the loaded scopes, to apply once they are committed. The rows are
    made here, before the commit: a message that became 3,779 memories took ~70 ms to make them, under
    the loaded scopes' lock (every scope's search waits for it)."""
    updates: list[ScopeUpdate] = []
    for statement in statements:
        name, params = statement.name, statement.params
        if name in ("memory/add", "entity/create"):
            updates.append(("add", (name.split("/")[0], [vector_row(row) for row in params["rows"]])))
        elif name in ("episode/add", "episode/add_one"):
            rows = [vector_row(m) for episode in added_episodes(statement) for m in episode["memories"]]
            updates.append(("add", ("memory", rows)))
        elif name == "memory/create" and params.get("invalid_at") is None:
            updates.append(("add", ("memory", [vector_row(params)])))
        elif name == "entity/add_mentions":
            updates.append(("mentioned", (params["rows"],)))
        elif name == "entity/set_aliases":
            updates.append(("rename", (params["rows"],)))
        elif name == "memory/set_metadata":  # an update that keeps the text: the held row's metadata only
            updates.append(("retouch", ([{k: params[k] for k in ("id", "metadata", "updated_at")}],)))
        elif name in ("memory/delete", "memory/invalidate"):  # superseded memories are searched only as_of
            updates.append(("remove", ("memory", [params["id"]])))
        elif name in ("entity/delete_orphans", "entity/drop_mentions"):
            updates.append(("forget", ("entity",)))
        elif name == "entity/delete_in_scope":  # delete_all: the saved indexes that may hold its rows go too
            updates += [("forget", ("entity",)), ("discard", (Scope(**params).ids,))]
        elif name == "admin/reset_memories":  # reset: every saved index goes
            updates += [("forget", ()), ("discard", (None,))]
        elif name not in _SCOPE_NEUTRAL:
            updates.append(("forget", ()))
    return updates


def apply_updates(updates: Sequence[ScopeUpdate], cache: ScopeCache) -> Callable[[], None] | None:
    """Keep the loaded scopes in step with what was just committed (called under their lock, right after).

    A few rows are added at once. Thousands (one long message's memories) go in steps, each under the
    lock and only into the scopes loaded now: a search of any other scope waited for all of them
    (~170 ms for 3,779 memories), and a scope loaded between two steps read the commit from the store
    already (its entities' mention counts must not be counted again)."""
    if sum(len(args[1]) for method, args in updates if method == "add") <= ROWS_PER_STEP:
        for method, args in updates:
            getattr(cache, method)(*args)
        return None
    held = cache.held()

    def in_steps() -> None:
        pacer = Pacer()
        for method, args in updates:
            target = cache if method in ("forget", "discard") else held
            for step in _steps(method, args):
                with cache.lock:
                    getattr(target, method)(*step)
                pacer.tick()  # a pause outside the lock: a search waiting for it goes first

    return in_steps


def _steps(method: str, args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    if method != "add":
        yield args
        return
    table, rows = args
    for step in slices(rows, ROWS_PER_STEP):
        yield table, step
