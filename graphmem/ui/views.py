"""What the explorer's API answers, built from `AsyncMemory` calls only (graph, get, sources,
history).

`graph_payload` turns the scope's graph (history included) into cytoscape.js elements. Each element carries
`start` and `end` (when it began and stopped holding: a memory from when it was said, a relation from its
`valid_at`), so the page's time slider filters what it has without asking again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphmem.errors import NotFoundError

if TYPE_CHECKING:
    import networkx as nx

    from graphmem.memory import AsyncMemory

_WITH_MEMORIES = ("entities", "memories", "history")
_ENTITIES_ONLY = ("entities", "history")


async def graph_payload(memory: AsyncMemory, scope: dict[str, str | None], as_of: str | None,
                        with_memories: bool) -> dict[str, Any]:
    """`{"nodes", "edges", "times": {"first", "last"}}` for the scope, everything that ever held, or only
    what held at `as_of`."""
    include = _WITH_MEMORIES if with_memories else _ENTITIES_ONLY
    graph = await memory.graph(user_id=scope["user_id"], agent_id=scope["agent_id"], run_id=scope["run_id"],
                               as_of=as_of, include=include)
    return elements(graph)


def elements(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape elements (`{"data": {...}}`) of a graph drawn by `graphmem.graph.to_networkx`."""
    nodes = [{"data": _node(node_id, attrs)} for node_id, attrs in graph.nodes(data=True)]
    edges = [{"data": _edge(source, target, key, attrs)}
             for source, target, key, attrs in graph.edges(keys=True, data=True)]
    times = [t for item in (*nodes, *edges) for t in (item["data"].get("start"), item["data"].get("end")) if t]
    return {"nodes": nodes, "edges": edges,
            "times": {"first": min(times, default=None), "last": max(times, default=None)}}


def _node(node_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    kind = attrs.get("kind")
    data = {"id": node_id, "kind": kind, "label": _short(str(attrs.get("label") or "")), "type": attrs.get("type")}
    if kind == "memory":
        data.update(text=attrs.get("text"), start=attrs.get("created_at"), end=attrs.get("invalid_at"))
    elif kind == "entity":
        data.update(mentions=attrs.get("mentions"))
    return data


def _edge(source: str, target: str, key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    if attrs.get("label") == "RELATES":
        return {"id": key, "source": source, "target": target, "kind": "relates", "label": attrs.get("type"),
                "fact": attrs.get("fact"), "memory_id": attrs.get("memory_id"), "start": attrs.get("valid_at"),
                "end": attrs.get("invalid_at")}
    return {"id": f"{source}>{target}", "source": source, "target": target, "kind": str(attrs.get("label")).lower()}


def _short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


async def memory_details(memory: AsyncMemory, memory_id: str) -> dict[str, Any]:
    """The memory, the messages it came from (its provenance) and its history."""
    record = await memory.get(memory_id)
    if record is None:
        raise NotFoundError(f"Memory with id {memory_id} not found")
    messages = provenance(await memory.sources(record["id"]))
    return {"memory": record, "sources": messages, "history": await memory.history(memory_id)}


def provenance(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages `memory.sources()` gave, with only what the page shows of each."""
    return [{key: row.get(key) for key in ("role", "name", "content", "occurred_at")} for row in sources]
