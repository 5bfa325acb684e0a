"""A scope's whole graph as plain rows (a *snapshot*), and a snapshot written back into a store.

A snapshot is what `AsyncMemory.graph()` draws and `export()` / `import_()` carry: every memory (superseded
ones too), entity, episode (with the scope's counter row), RELATES edge (ended ones too), MENTIONS and
DERIVED_FROM edge, and the history of the stored memories, read by the statements of
`cypher/common/graph_io/`. Writing one back goes through statements every dialect already has (the ones
`add` and `update` write with), in one transaction, so the in-process search of an embedded store follows.
Ids, texts, times and validity are kept as they were; the scope keys (`sk`, ...) are derived again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from graphmem.backends.base import GraphBackend, Row, Statement
from graphmem.errors import ValidationError
from graphmem.ingest.parts import embed_with_parts, kept_parts
from graphmem.providers.embedders import Embedder
from graphmem.records import VECTOR_PROPERTIES
from graphmem.scope import Scope

FORMAT = "graphmem-graph"
VERSION = 1
PARTS = ("memories", "entities", "episodes", "relations", "mentions", "derived_from", "events")
COUNTER_ROLE = "counter"  # the scope's episode counter (see cypher/common/thread/)
# What each part's rows must carry (as text) to be written back; the rest may be missing (null).
_REQUIRED = {"memories": ("id", "text"), "entities": ("id", "name"), "episodes": ("id",),
             "relations": ("id", "source_id", "target_id"), "mentions": ("memory_id", "entity_id"),
             "derived_from": ("memory_id", "episode_id"), "events": ("id", "memory_id")}
_IMPORT_CHUNK = 500  # rows per statement of an import: Kuzu binds a long list of maps slowly
_EMBED_BATCH = 64  # texts per embedding call: progress moves, memory stays bounded


async def read_snapshot(backend: GraphBackend, scope: Scope, *, embeddings: bool = False) -> dict[str, Any]:
    """Every row of the scope's graph, by part (see PARTS); vectors only with `embeddings`."""
    params: dict[str, Any] = {**scope.params(), "embeddings": embeddings}
    parts = await backend.read_together([(f"graph_io/{name}", _named(name, params)) for name in PARTS])
    snapshot: dict[str, Any] = {"format": FORMAT, "version": VERSION, "scope": scope.params(),
                                "exported_at": datetime.now(timezone.utc).isoformat()}
    snapshot.update(zip(PARTS, (list(rows) for rows in parts), strict=True))
    _with_memory_ids(snapshot)
    if embeddings:
        _null_empty_vectors(snapshot)
    else:
        for row in (*snapshot["memories"], *snapshot["entities"]):
            for key in VECTOR_PROPERTIES:
                row.pop(key, None)
    return snapshot


def _with_memory_ids(snapshot: dict[str, Any]) -> None:
    """Each episode's `memory_ids`, from the DERIVED_FROM edges (the stores keep no list of them on the
    episode: see "Lookup lists" in cypher/README.md); null on a scope's counter row."""
    memory_ids: dict[str, list[str]] = {}
    for link in snapshot["derived_from"]:
        memory_ids.setdefault(link["episode_id"], []).append(link["memory_id"])
    for episode in snapshot["episodes"]:
        episode["memory_ids"] = memory_ids.get(episode["id"], []) if episode.get("role") != COUNTER_ROLE else None


def _null_empty_vectors(snapshot: dict[str, Any]) -> None:
    """A memory's `parts` or `context_embedding` stored empty (Kuzu keeps no null in a list column: see
    cypher/README.md) exported as null, as the other stores give it."""
    for memory in snapshot["memories"]:
        for key in ("parts", "context_embedding"):
            if key in memory and not memory[key]:
                memory[key] = None


def _named(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters a statement names (the edge reads take no `embeddings` flag)."""
    return params if name in ("memories", "entities") else {k: v for k, v in params.items() if k != "embeddings"}


def check_snapshot(snapshot: Any) -> dict[str, Any]:
    """The snapshot, if it is one this version reads; else a ValidationError naming what is wrong."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise ValidationError(f"not a graphmem graph export (format must be {FORMAT!r})", field="data")
    if snapshot.get("version") != VERSION:
        raise ValidationError(f"unsupported export version {snapshot.get('version')!r}", field="data")
    for part in PARTS:
        rows = snapshot.get(part, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(f"{part!r} must be a list of objects", field=part)
        missing = next((key for row in rows for key in _REQUIRED[part] if not isinstance(row.get(key), str)), None)
        if missing is not None:
            raise ValidationError(f"every item of {part!r} needs a text {missing!r}", field=part)
    return snapshot


async def write_snapshot(backend: GraphBackend, embedder: Embedder, snapshot: dict[str, Any],
                         progress: Callable[[str, int, int], None] | None = None,
                         sentence_vectors: bool = True) -> dict[str, int]:
    """Write a snapshot into the store in one transaction; how many of each part it wrote.

    Ids already in the store are refused (ValidationError, field "data"): an import reproduces a scope in
    another store, it does not merge two histories. Vectors missing from the export (or of another size
    than the store's) are made again by the store's embedder (with `sentence_vectors`, a memory's sentences too)."""
    snapshot = check_snapshot(snapshot)
    memories, entities = snapshot.get("memories", []), snapshot.get("entities", [])
    await _refuse_existing(backend, [m["id"] for m in memories])
    await _refuse_held_scopes(backend, [e for e in snapshot.get("episodes", []) if e.get("role") == COUNTER_ROLE])
    report = progress or (lambda stage, done, total: None)
    await _embed_missing(embedder, memories, entities, report, backend.dialect, sentence_vectors)
    statements = plan(snapshot)
    report("write", 0, 1)
    await backend.write(statements)
    report("write", 1, 1)
    return {part: len(snapshot.get(part, [])) for part in PARTS}


async def _refuse_existing(backend: GraphBackend, memory_ids: list[str]) -> None:
    for start in range(0, len(memory_ids), _IMPORT_CHUNK):
        found = await backend.memory_rows(memory_ids[start:start + _IMPORT_CHUNK])
        if found:
            raise ValidationError(f"the store already holds memory {found[0]['id']!r}: import into a fresh store, "
                                  "or delete that scope first", field="data")


async def _refuse_held_scopes(backend: GraphBackend, counters: list[Row]) -> None:
    """A scope that has had adds in this store numbers its episodes there already: an import's episodes would
    take the same ids. Such a scope is refused, naming it (delete_all it first, or import elsewhere)."""
    for counter in counters:
        if await backend.read("thread/get", {"key": counter["id"]}):
            scope = {k: counter.get(k) for k in ("user_id", "agent_id", "run_id") if counter.get(k)}
            raise ValidationError(f"the store already holds the scope {scope}: import into a fresh store, or "
                                  "delete that scope first", field="data")


async def _embed_missing(embedder: Embedder, memories: list[Row], entities: list[Row],
                         report: Callable[[str, int, int], None], dialect: str, sentence_vectors: bool) -> None:
    """Memories and entities without a vector of this store's size get one from its embedder: a memory's is
    read with its sentences', as an add makes it (ingest/parts.py)."""
    dims = await asyncio.to_thread(lambda: embedder.dims)
    texts = [row for row in memories if not _fits(row.get("embedding"), dims)]
    names = [row for row in entities if row.get("has_embedding", True) and not _fits(row.get("embedding"), dims)]
    for row in entities:
        if not row.get("has_embedding", True):
            row["embedding"] = None  # linked without one (infer=False): stays so
    total = len(texts) + len(names)
    for start in range(0, len(texts), _EMBED_BATCH):
        batch = texts[start:start + _EMBED_BATCH]
        report("embed", start, total)
        embedded = await embed_with_parts(embedder, [row["text"] for row in batch], [], sentence_vectors)
        for row, vector, parts in zip(batch, embedded.texts, embedded.parts, strict=True):
            row["embedding"] = [float(x) for x in vector]
            row["parts"] = [float(x) for part in kept_parts(dialect, parts) for x in part] or None  # made again
            row.pop("context_embedding", None)  # only the embedder that made it could read it
    for start in range(0, len(names), _EMBED_BATCH):
        batch = names[start:start + _EMBED_BATCH]
        report("embed", len(texts) + start, total)
        for row, vector in zip(batch, await embedder.embed_texts([row["name"] for row in batch]), strict=True):
            row["embedding"] = [float(x) for x in vector]
    report("embed", total, total)


def _fits(vector: Any, dims: int) -> bool:
    return isinstance(vector, list) and len(vector) == dims


def plan(snapshot: dict[str, Any]) -> list[Statement]:
    """The statements that recreate the snapshot: nodes first, then the edges between them."""
    episodes = [e for e in snapshot.get("episodes", []) if e.get("role") != COUNTER_ROLE]
    counters = [e for e in snapshot.get("episodes", []) if e.get("role") == COUNTER_ROLE]
    memory_ids = {m["id"] for m in snapshot.get("memories", [])}
    events = [e for e in snapshot.get("events", []) if e.get("memory_id") in memory_ids]
    entities = [_entity_row(e) for e in snapshot.get("entities", [])]
    statements = [
        # Entities with a vector and without one (linked by an infer=False add) go in statements of their own:
        # Kuzu types a list of rows as one, and a NULL vector beside a 384-float one fails its cast.
        *_chunked("entity/create", [e for e in entities if e["embedding"]]),
        *_chunked("entity/create", [e for e in entities if not e["embedding"]]),
        *_chunked("episode/create", [_episode_row(e) for e in episodes]),
        *(Statement("thread/start", _counter_params(c)) for c in counters),
        *(Statement("memory/create", _memory_params(m)) for m in snapshot.get("memories", [])),
        *_chunked("event/create", [_event_row(e) for e in events]),
        *_chunked("event/link", [{"memory_id": e["memory_id"], "id": e["id"]} for e in events]),
        *_chunked("memory/link_episode", _pairs(snapshot.get("derived_from", []), "episode_id")),
        *_chunked("memory/link_entities", _pairs(snapshot.get("mentions", []), "entity_id")),
        *_chunked("relation/create", [_relation_row(r) for r in snapshot.get("relations", [])]),
    ]
    return statements


def _chunked(name: str, rows: Sequence[Row]) -> list[Statement]:
    return [Statement(name, {"rows": list(rows[i:i + _IMPORT_CHUNK])}) for i in range(0, len(rows), _IMPORT_CHUNK)]


def _scope_columns(row: Row) -> dict[str, Any]:
    scope = Scope.of(row.get("user_id"), row.get("agent_id"), row.get("run_id"))
    return {**scope.params(), **scope.keys()}


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _entity_row(row: Row) -> Row:
    return {"id": row["id"], "name": row["name"], "name_norm": row.get("name_norm") or row["name"].lower(),
            "type": row.get("type"), "summary": row.get("summary") or "", "aliases": _strings(row.get("aliases")),
            "embedding": row.get("embedding"), "created_at": row.get("created_at"),
            "updated_at": row.get("updated_at"), "mentions": int(row.get("mentions") or 0),
            "mention_ids": _strings(row.get("mention_ids")), **_scope_columns(row)}


def _episode_row(row: Row) -> Row:
    return {"id": row["id"], "role": row.get("role"), "name": row.get("name"), "content": row.get("content"),
            "occurred_at": row.get("occurred_at"), **_scope_columns(row)}


def _counter_params(row: Row) -> dict[str, Any]:
    columns = _scope_columns(row)
    return {"key": row["id"], "value": row.get("content"), "said_until": row.get("occurred_at"),
            "sk": columns["sk"], "user_id": columns["user_id"], "agent_id": columns["agent_id"],
            "run_id": columns["run_id"]}


_MEMORY_KEYS = ("id", "text", "hash", "metadata", "memory_type", "actor_id", "role", "created_at", "updated_at",
                "valid_at", "invalid_at")


def _memory_params(row: Row) -> dict[str, Any]:
    params = {key: row.get(key) for key in _MEMORY_KEYS}
    params.update(embedding=row.get("embedding"), parts=_beside_embedding(row, "parts", None),
                  context_embedding=_beside_embedding(row, "context_embedding", 1),
                  episode_ids=_strings(row.get("episode_ids")), entity_ids=_strings(row.get("entity_ids")),
                  **_scope_columns(row))
    return params


def _beside_embedding(row: Row, key: str, vectors: int | None) -> list[float] | None:
    """`row[key]` as exported (one flat list of floats), kept only beside the memory's own embedding and of
    `vectors` times its size (None: any whole number of times); else the memory is searched without it."""
    values, embedding = row.get(key), row.get("embedding")
    if not isinstance(values, list) or not values or not isinstance(embedding, list) or not embedding:
        return None
    misfit = len(values) != vectors * len(embedding) if vectors is not None else len(values) % len(embedding)
    if misfit or not all(isinstance(x, int | float) for x in values):
        return None
    return [float(x) for x in values]


def _event_row(row: Row) -> Row:
    keys = ("id", "memory_id", "event", "old_text", "new_text", "actor", "role", "created_at")
    return {**{key: row.get(key) for key in keys}, "seq": int(row.get("seq") or 0)}


def _pairs(rows: list[Row], other: str) -> list[Row]:
    return [{"memory_id": r["memory_id"], other: r[other]} for r in rows]


def _relation_row(row: Row) -> Row:
    keys = ("id", "source_id", "target_id", "type", "fact", "valid_at", "invalid_at", "created_at", "memory_id",
            "episode_id")
    return {key: row.get(key) for key in keys}
