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
from graphmem.records import VECTOR_PROPERTIES
from graphmem.scope import Scope
from graphmem.search.as_of import check_when, valid_then

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


def check_format(fmt: Any, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt not in allowed:
        raise ValidationError(f"format must be one of {allowed}", field="format")
    return str(fmt)


# -- the networkx view -------------------------------------------------------------------------------


def to_networkx(snapshot: dict[str, Any], *, include: Iterable[str] = KINDS, as_of: datetime | None = None,
                embeddings: bool = False, export: bool = False) -> nx.MultiDiGraph:
    """The snapshot as a MultiDiGraph. Without "history" in `include` (nor `as_of`), only what holds now:
    current memories and relations. With `as_of`, what held then (entities and messages that existed by
    then). `export` keeps everything, with events and the scope's counter, for a file that is read back."""
    kinds = (set(KINDS) | {"events", "history"}) if export else set(include)
    drawing = _Drawing(snapshot, _holds(kinds, as_of), as_of, embeddings)
    if "entities" in kinds:
        drawing.entities()
    if "memories" in kinds:
        drawing.memories()
    if "episodes" in kinds:
        drawing.episodes(with_counter=export, linked="memories" in kinds)
    if "events" in kinds and "memories" in kinds:
        drawing.events()
    return drawing.graph


class _Drawing:
    """One graph being drawn from a snapshot: which rows hold, and whether vectors are kept."""

    def __init__(self, snapshot: dict[str, Any], held: Callable[[Row, str], bool], as_of: datetime | None,
                 embeddings: bool) -> None:
        self.snapshot, self.held, self.embeddings = snapshot, held, embeddings
        self.existed: Callable[[Row, str], bool] = (lambda row, start: True) if as_of is None else (
            lambda row, start: valid_then({start: row.get(start)}, as_of, start=start))
        self.graph = import_networkx().MultiDiGraph(format=FORMAT, version=VERSION,
                                                    scope=json.dumps(snapshot.get("scope")))
        self.kept = {m["id"] for m in snapshot.get("memories", []) if held(m, "created_at")}

    def node(self, row: Row, kind: str, label: Any) -> None:
        self.graph.add_node(row["id"], kind=kind, label=str(label or ""), **_props(row, self.embeddings))

    def entities(self) -> None:
        for row in self.snapshot.get("entities", []):
            if self.existed(row, "created_at"):
                self.node(row, "entity", row["name"])
        for rel in self.snapshot.get("relations", []):
            if self.held(rel, "valid_at") and rel["source_id"] in self.graph and rel["target_id"] in self.graph:
                self.graph.add_edge(rel["source_id"], rel["target_id"], key=rel["id"], label="RELATES",
                                    **{k: v for k, v in rel.items() if k not in ("source_id", "target_id")})

    def memories(self) -> None:
        for row in self.snapshot.get("memories", []):
            if row["id"] in self.kept:
                self.node(row, "memory", row["text"])
        _add_pairs(self.graph, self.snapshot.get("mentions", []), "MENTIONS", self.kept)

    def episodes(self, *, with_counter: bool, linked: bool) -> None:
        for row in self.snapshot.get("episodes", []):
            counter = row.get("role") == COUNTER_ROLE
            if with_counter and counter:
                self.node(row, "counter", row.get("content"))
            elif not counter and self.existed(row, "occurred_at"):
                self.node(row, "episode", row.get("content"))
        if linked:
            _add_pairs(self.graph, self.snapshot.get("derived_from", []), "DERIVED_FROM", self.kept)

    def events(self) -> None:
        for row in self.snapshot.get("events", []):
            if row.get("memory_id") in self.kept:
                self.node(row, "event", row.get("event"))
                self.graph.add_edge(row["memory_id"], row["id"], key="HAS_EVENT", label="HAS_EVENT")


def _holds(kinds: set[str], as_of: datetime | None) -> Callable[[Row, str], bool]:
    """Which rows a view keeps: all of them with history, those that held at `as_of`, else current ones."""
    if as_of is not None:
        return lambda row, start: valid_then(row, as_of, start=start)
    if "history" in kinds:
        return lambda row, start: True
    return lambda row, start: row.get("invalid_at") is None


def _props(row: Row, embeddings: bool) -> dict[str, Any]:
    props = {k: v for k, v in row.items() if k != "id" and (embeddings or k not in VECTOR_PROPERTIES)}
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
                      progress: Progress | None = None, sentence_vectors: bool = True) -> dict[str, int]:
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
    return await write_snapshot(backend, embedder, snapshot, report, sentence_vectors)


async def sources_of(backend: GraphBackend, memory_id: str) -> list[dict[str, Any]]:
    """`AsyncMemory.sources`: the messages a memory came from, oldest first."""
    if not isinstance(memory_id, str) or not memory_id.strip():
        raise ValidationError("memory_id must be a non-empty string", field="memory_id")
    return await backend.read("graph_io/sources_of", {"id": memory_id.strip()})


def _counts(snapshot: dict[str, Any]) -> dict[str, int]:
    return {part: len(snapshot.get(part) or []) for part in ("memories", "entities", "episodes", "relations",
                                                           "events")}
