"""The graph as networkx, and the export and import calls of `AsyncMemory` (`graph`, `export`, `import_`).

`to_networkx(snapshot, ...)` draws a snapshot (graphmem/graph_io.py) as a `networkx.MultiDiGraph`: nodes keyed
by their stored ids, with `kind` ("entity", "memory", "episode"; "event" and "counter" in exports), a `label`
to show, and their properties; edges keyed by `label` ("RELATES", "MENTIONS", "DERIVED_FROM", "HAS_EVENT"), a
RELATES edge by its own id, with its `type` (the relation's name), `fact`, `valid_at`, `invalid_at`, `memory_id`.
Files are written and read in graphmem/graph_files.py. networkx is imported only when a graph is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmem.backends.base import GraphBackend, Row
from graphmem.errors import MissingDependencyError, ValidationError
from graphmem.graph_io import COUNTER_ROLE, FORMAT, VERSION, read_snapshot, write_snapshot
from graphmem.providers.embedders import Embedder
from graphmem.scope import Scope
from graphmem.search.as_of import check_as_of, valid_then
from graphmem.search.when import parse_time

if TYPE_CHECKING:
    import networkx as nx

KINDS = ("entities", "memories", "episodes")
FORMATS = ("json", "graphml", "gexf", "cypher")
EDGE_KEYS = {"MENTIONS": "entity_id", "DERIVED_FROM": "episode_id"}
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def import_networkx() -> Any:
    try:
        import networkx
    except ImportError:
        raise MissingDependencyError("the graph view needs networkx: pip install 'graphmem[graph]'") from None
    return networkx


def check_include(include: Any) -> tuple[str, ...]:
    allowed = (*KINDS, "events", "history")
    if isinstance(include, str) or not all(isinstance(i, str) and i in allowed for i in include):
        raise ValidationError(f"include must be a sequence of {allowed}", field="include")
    return tuple(include)


def check_when(value: Any) -> datetime | None:
    """`as_of` as an aware datetime: a datetime (naive: UTC) or ISO-8601 text, as the explorer sends it."""
    if isinstance(value, str):
        parsed = parse_time(value.strip())
        if parsed is None:
            raise ValidationError("as_of must be a datetime or an ISO-8601 time", field="as_of")
        return parsed
    return check_as_of(value)


def check_format(fmt: Any, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt not in allowed:
        raise ValidationError(f"format must be one of {allowed}", field="format")
    return str(fmt)


# -- the networkx view -------------------------------------------------------------------------------


def to_networkx(snapshot: dict[str, Any], *, include: Iterable[str] = KINDS, as_of: datetime | None = None,
                embeddings: bool = False, export: bool = False) -> nx.MultiDiGraph:
    """The snapshot as a MultiDiGraph. Without "history" in `include` (nor `as_of`), only what holds now:
    current memories and relations. With `as_of`, what held then. `export` keeps everything, with events
    and the scope's counter, for a file that is read back."""
    nx = import_networkx()
    kinds = set(KINDS) | {"events", "history"} if export else set(include)
    held = _holds(kinds, as_of)
    graph = nx.MultiDiGraph(format=FORMAT, version=VERSION, scope=json.dumps(snapshot.get("scope")))
    memories = [m for m in snapshot.get("memories", []) if held(m, "created_at")]
    kept = {m["id"] for m in memories}
    if "entities" in kinds:
        for row in snapshot.get("entities", []):
            graph.add_node(row["id"], kind="entity", label=row["name"], **_props(row, embeddings))
        for rel in snapshot.get("relations", []):
            if held(rel, "valid_at"):
                graph.add_edge(rel["source_id"], rel["target_id"], key=rel["id"], label="RELATES",
                               **{k: v for k, v in rel.items() if k not in ("source_id", "target_id")})
    if "memories" in kinds:
        for row in memories:
            graph.add_node(row["id"], kind="memory", label=row["text"], **_props(row, embeddings))
        _add_pairs(graph, snapshot.get("mentions", []), "MENTIONS", kept)
    if "episodes" in kinds:
        for row in snapshot.get("episodes", []):
            if row.get("role") != COUNTER_ROLE or export:
                kind = "counter" if row.get("role") == COUNTER_ROLE else "episode"
                graph.add_node(row["id"], kind=kind, label=row.get("content") or "", **_props(row, embeddings))
        if "memories" in kinds:
            _add_pairs(graph, snapshot.get("derived_from", []), "DERIVED_FROM", kept)
    if "events" in kinds and "memories" in kinds:
        for row in snapshot.get("events", []):
            if row.get("memory_id") in kept:
                graph.add_node(row["id"], kind="event", label=row.get("event") or "", **_props(row, embeddings))
                graph.add_edge(row["memory_id"], row["id"], key="HAS_EVENT", label="HAS_EVENT")
    return graph


def _holds(kinds: set[str], as_of: datetime | None) -> Any:
    """Which rows a view keeps: all of them with history, those that held at `as_of`, else current ones."""
    if as_of is not None:
        return lambda row, start: valid_then(row, as_of, start=start)
    if "history" in kinds:
        return lambda row, start: True
    return lambda row, start: row.get("invalid_at") is None


def _props(row: Row, embeddings: bool) -> dict[str, Any]:
    props = {k: v for k, v in row.items() if k != "id" and (embeddings or k != "embedding")}
    if isinstance(props.get("metadata"), str):
        props["metadata"] = json.loads(props["metadata"] or "{}") or None
    return props


def _add_pairs(graph: nx.MultiDiGraph, pairs: list[Row], label: str, memory_ids: set[str]) -> None:
    other = EDGE_KEYS[label]
    for pair in pairs:
        if pair["memory_id"] in memory_ids and pair[other] in graph:
            graph.add_edge(pair["memory_id"], pair[other], key=label, label=label)




# -- AsyncMemory's calls -----------------------------------------------------------------------------


async def view(backend: GraphBackend, scope: Scope, *, as_of: Any = None, include: Any = KINDS,
               embeddings: bool = False) -> nx.MultiDiGraph:
    """`AsyncMemory.graph`: the scope's graph, now or as it held at `as_of`."""
    kinds, when = check_include(include), check_when(as_of)
    snapshot = await read_snapshot(backend, scope, embeddings=embeddings)
    return to_networkx(snapshot, include=kinds, as_of=when, embeddings=embeddings)


async def export(backend: GraphBackend, scope: Scope, path: str | Path | None, *, fmt: str = "json",
                 embeddings: bool = False) -> dict[str, Any]:
    """`AsyncMemory.export`: the snapshot itself without a path (json only), else the file written and counts."""
    from graphmem.graph_files import write_snapshot_file

    fmt = check_format(fmt)
    snapshot = await read_snapshot(backend, scope, embeddings=embeddings)
    if path is None:
        if fmt != "json":
            raise ValidationError("an export without a path returns the JSON snapshot: give a path for "
                                  f"{fmt!r}", field="path")
        return snapshot
    target = Path(path).expanduser()
    write_snapshot_file(snapshot, target, fmt)
    return {"path": str(target), "format": fmt, **_counts(snapshot)}


async def import_into(backend: GraphBackend, embedder: Embedder, source: Any, *, fmt: str | None = None,
                      progress: Progress | None = None) -> dict[str, int]:
    """`AsyncMemory.import_`: a file written by `export` (or the snapshot dict it returns) into this store."""
    from graphmem.graph_files import read_snapshot_file

    report = progress or (lambda stage, done, total: None)
    report("read", 0, 1)
    if isinstance(source, dict):
        snapshot = source
    elif isinstance(source, str | Path):
        snapshot = read_snapshot_file(Path(source).expanduser(), fmt)
    else:
        raise ValidationError("source must be a file path or an exported snapshot (dict)", field="source")
    report("read", 1, 1)
    return await write_snapshot(backend, embedder, snapshot, report)


async def sources_of(backend: GraphBackend, memory_id: str) -> list[dict[str, Any]]:
    """`AsyncMemory.sources`: the messages a memory came from, oldest first."""
    if not isinstance(memory_id, str) or not memory_id.strip():
        raise ValidationError("memory_id must be a non-empty string", field="memory_id")
    return await backend.read("graph_io/sources_of", {"id": memory_id.strip()})


def _counts(snapshot: dict[str, Any]) -> dict[str, int]:
    return {part: len(snapshot.get(part) or []) for part in ("memories", "entities", "episodes", "relations",
                                                           "events")}
