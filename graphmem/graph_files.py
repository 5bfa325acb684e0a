"""The files a scope is exported to and imported from (`AsyncMemory.export` / `import_`).

"json" is the snapshot itself (graphmem/graph_io.py); "graphml" and "gexf" are the whole graph drawn with
`to_networkx(..., export=True)`, every property kept (list and map values as JSON text, as those formats hold
scalars only; a missing attribute is None) and read back by `read_snapshot_file`; "cypher" is a script for
Neo4j (graphmem/graph_script.py), export only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmem.backends.base import Row
from graphmem.errors import ValidationError
from graphmem.graph import EDGE_KEYS, check_format, import_networkx, to_networkx
from graphmem.graph_io import FORMAT, VERSION, check_snapshot
from graphmem.records import VECTOR_PROPERTIES

if TYPE_CHECKING:
    import networkx as nx

READABLE = ("json", "graphml", "gexf")
_LIST_KEYS = frozenset({"aliases", "mention_ids", "episode_ids", "entity_ids", "memory_ids",
                        *VECTOR_PROPERTIES})


def write_snapshot_file(snapshot: dict[str, Any], path: Path, fmt: str) -> None:
    """Write the snapshot to `path` in `fmt` (see FORMATS)."""
    fmt = check_format(fmt)
    if fmt == "json":
        path.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1), "utf-8")
    elif fmt == "cypher":
        from graphmem.graph_script import cypher_script

        path.write_text(cypher_script(snapshot), "utf-8")
    else:
        nx = import_networkx()
        graph = _scalar_graph(to_networkx(snapshot, export=True, embeddings=True))
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, str(path))


def _scalar_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with list and map values as JSON text and None values left out: GraphML and GEXF hold scalars."""
    out = graph.copy()
    out.graph = {k: v for k, v in graph.graph.items() if v is not None}
    for *_, attrs in out.edges(keys=True, data=True):
        if "type" in attrs:  # GEXF reads an edge's `type` as directed/undirected: the name travels as `relationship`
            attrs["relationship"] = attrs.pop("type")
    for _, attrs in (*out.nodes(data=True), *((k, d) for *_, k, d in out.edges(keys=True, data=True))):
        for key, value in list(attrs.items()):
            if value is None:
                del attrs[key]
            elif isinstance(value, list | dict):
                attrs[key] = json.dumps(value, ensure_ascii=False)
    return out


def format_of(path: Path) -> str:
    """A file's format by its suffix (.json, .graphml, .gexf)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in READABLE:
        raise ValidationError(f"cannot import {path.name}: the file must end in one of {READABLE}", field="path")
    return suffix


def read_snapshot_file(path: Path, fmt: str | None = None) -> dict[str, Any]:
    """The snapshot a file written by `write_snapshot_file` holds."""
    fmt = check_format(fmt or format_of(path), READABLE)
    try:
        if fmt == "json":
            return check_snapshot(json.loads(path.read_text("utf-8")))
        nx = import_networkx()
        graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(str(path), **_reader_options(fmt))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}", field="path") from None
    return check_snapshot(from_networkx(graph))


def _reader_options(fmt: str) -> dict[str, Any]:
    return {"force_multigraph": True} if fmt == "graphml" else {}


def from_networkx(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """A snapshot from a graph drawn with `export=True` (also one read back from GraphML or GEXF)."""
    nodes: dict[str, list[Row]] = {"entity": [], "memory": [], "episode": [], "counter": [], "event": []}
    for node_id, attrs in graph.nodes(data=True):
        row = {"id": str(node_id), **{k: _decoded(k, v) for k, v in attrs.items() if k not in _VIEW_ONLY}}
        if isinstance(row.get("metadata"), dict):
            row["metadata"] = json.dumps(row["metadata"])
        nodes.setdefault(str(attrs.get("kind")), []).append(row)
    edges: dict[str, list[Row]] = {"RELATES": [], "MENTIONS": [], "DERIVED_FROM": [], "HAS_EVENT": []}
    for source, target, key, attrs in _edges(graph):
        label = str(attrs.get("label", key))
        if label == "RELATES":
            edges[label].append({"source_id": str(source), "target_id": str(target), **_edge_props(key, attrs)})
        elif label in EDGE_KEYS:
            edges[label].append({"memory_id": str(source), EDGE_KEYS[label]: str(target)})
    scope = graph.graph.get("scope")
    return {"format": graph.graph.get("format", FORMAT), "version": int(graph.graph.get("version", VERSION)),
            "scope": json.loads(scope) if isinstance(scope, str) else scope,
            "memories": nodes["memory"], "entities": nodes["entity"],
            "episodes": nodes["episode"] + nodes["counter"], "relations": edges["RELATES"],
            "mentions": edges["MENTIONS"], "derived_from": edges["DERIVED_FROM"], "events": nodes["event"]}


def _edges(graph: nx.MultiDiGraph) -> Any:
    """(source, target, key, attrs) of every edge; GEXF reads back a simple graph when no two edges share ends."""
    if graph.is_multigraph():
        return graph.edges(keys=True, data=True)
    return ((source, target, attrs.get("id"), attrs) for source, target, attrs in graph.edges(data=True))


_VIEW_ONLY = frozenset({"kind", "label"})
_RELATION_KEYS = ("id", "type", "fact", "valid_at", "invalid_at", "created_at", "memory_id", "episode_id", "source",
                  "target")


def _edge_props(key: Any, attrs: dict[str, Any]) -> Row:
    row = {k: attrs.get(k) for k in _RELATION_KEYS}
    row["type"] = attrs.get("relationship", attrs.get("type"))
    row["id"] = row["id"] or str(key)
    return row


def _decoded(key: str, value: Any) -> Any:
    """A value as it was before `_scalar_graph`: lists back from their JSON text."""
    if key in _LIST_KEYS and isinstance(value, str):
        return json.loads(value)
    return value  # metadata stays JSON text, as the store keeps it
