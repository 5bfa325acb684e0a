"""Graph reads for agents: an entity's neighbourhood, paths between two entities, an entity's timeline,
what was true at a date, a scope's entities and a summary of its graph.

Functions over the backend that `AsyncMemory` hands in (its methods of the same names delegate here),
each running parameterised statements of `cypher/common/graph/`. Walks are breadth-first in Python, one
statement per hop, so every dialect answers them with the same plain Cypher; a hop keeps at most
`FRONTIER_CAP` entities, so a hub cannot make one call read the whole graph.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from graphmem.backends.base import GraphBackend, Row
from graphmem.errors import ValidationError
from graphmem.ingest.normalize import normalise_name
from graphmem.mem0_forms import EXPIRATION_KEY, is_expired
from graphmem.records import memory_record
from graphmem.scope import Scope
from graphmem.search.as_of import check_when
from graphmem.search.when import iso_utc, parse_time, within

MAX_HOPS = 3
FRONTIER_CAP = 200  # entities expanded per hop
MAX_PATHS = 10


def _check_hops(hops: Any, field: str = "hops") -> int:
    if not isinstance(hops, int) or isinstance(hops, bool) or not 1 <= hops <= MAX_HOPS:
        raise ValidationError(f"{field!r} must be an integer from 1 to {MAX_HOPS}", field=field)
    return hops


def _check_limit(limit: Any) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError("'limit' must be a positive integer", field="limit")
    return limit


def _check_name(name: Any, field: str) -> str:
    if not isinstance(name, str) or not normalise_name(name):
        raise ValidationError(f"{field!r} must be a non-empty entity name", field=field)
    return name


def _relation(row: Row, hops: int | None = None) -> dict[str, Any]:
    """A relation as the tools show it: mem0's keys (source, relationship, target) and its validity."""
    record = {"source": row["source"], "relationship": row["relationship"], "target": row["target"],
              "fact": row.get("fact") or "", "valid_at": row.get("valid_at"), "invalid_at": row.get("invalid_at")}
    if hops is not None:
        record["hops"] = hops
    return record


def _held(row: Row, when: datetime | None) -> bool:
    """Whether a relation row held now (when None) or at `when`."""
    if when is None:
        return row.get("invalid_at") is None
    return within(parse_time(row.get("valid_at")), parse_time(row.get("invalid_at")), when)


async def entities(backend: GraphBackend, scope: Scope, limit: int = 100) -> list[dict[str, Any]]:
    """The scope's entities, the most mentioned first: name, type, aliases, how many memories mention it."""
    rows = await backend.read("graph/entities_listed", {"limit": _check_limit(limit), **scope.params()})
    return [{"name": r["name"], "type": r.get("type"), "aliases": r.get("aliases") or [],
             "mentions": r.get("mentions") or 0} for r in rows]


async def _matching(backend: GraphBackend, scope: Scope, name: str) -> list[Row]:
    """`{id}` of the scope's entities whose normalised name or an alias is `name`'s (one per sub-scope at most);
    the search's entity lookup answers it (from RAM on Kuzu)."""
    return await backend.entities_named([normalise_name(name)], scope)


async def _hop(backend: GraphBackend, ids: Iterable[str], include_invalid: bool) -> list[Row]:
    frontier = sorted(ids)[:FRONTIER_CAP]
    if not frontier:
        return []
    return await backend.read("graph/relations_touching", {"ids": frontier, "include_invalid": include_invalid})


async def _walk(backend: GraphBackend, start: list[str], hops: int,
                when: datetime | None) -> dict[str, tuple[Row, int]]:
    """Relations within `hops` of the start entities that held now or at `when`: id -> (row, hop found at)."""
    seen_entities, found = set(start), dict[str, tuple[Row, int]]()
    frontier = set(start)
    for hop in range(1, hops + 1):
        reached: set[str] = set()
        for row in await _hop(backend, frontier, include_invalid=when is not None):
            if row["id"] in found or not _held(row, when):
                continue
            found[row["id"]] = (row, hop)
            reached |= {row["source_id"], row["target_id"]} - seen_entities
        seen_entities |= reached
        frontier = reached
    return found


async def neighbourhood(backend: GraphBackend, scope: Scope, entity: str, *, hops: int = 1,
                        as_of: datetime | str | None = None, limit: int = 50) -> dict[str, Any]:
    """The relations within `hops` (1-3) of an entity, nearest first; valid now, or at `as_of`."""
    entity, hops, when = _check_name(entity, "entity"), _check_hops(hops), check_when(as_of)
    limit = _check_limit(limit)
    matched = await _matching(backend, scope, entity)
    found = await _walk(backend, [r["id"] for r in matched], hops, when)
    ordered = sorted(found.values(), key=lambda item: (item[1], item[0].get("valid_at") or ""))
    return {"entity": entity, "found": bool(matched), "as_of": iso_utc(when) if when else None,
            "relations": [_relation(row, hop) for row, hop in ordered[:limit]]}


async def paths_between(backend: GraphBackend, scope: Scope, source: str, target: str, *, max_hops: int = 3,
                        as_of: datetime | str | None = None) -> dict[str, Any]:
    """Chains of relations (either direction) linking two entities, shortest first, at most MAX_PATHS."""
    source, target = _check_name(source, "source"), _check_name(target, "target")
    max_hops, when = _check_hops(max_hops, "max_hops"), check_when(as_of)
    starts = [r["id"] for r in await _matching(backend, scope, source)]
    ends = {r["id"] for r in await _matching(backend, scope, target)}
    edges = [row for row, _ in (await _walk(backend, starts, max_hops, when)).values()]
    paths = _simple_paths(edges, starts, ends, max_hops)
    return {"source": source, "target": target, "as_of": iso_utc(when) if when else None,
            "paths": [{"hops": len(p), "relations": [_relation(r) for r in p]} for p in paths]}


def _simple_paths(edges: list[Row], starts: list[str], ends: set[str], max_hops: int) -> list[list[Row]]:
    """Paths without repeated entities from a start to an end, by length, then as found."""
    links: dict[str, list[tuple[Row, str]]] = {}
    for row in edges:
        links.setdefault(row["source_id"], []).append((row, row["target_id"]))
        links.setdefault(row["target_id"], []).append((row, row["source_id"]))
    paths: list[list[Row]] = []
    layer: list[tuple[str, list[Row], frozenset[str]]] = [(s, [], frozenset([s])) for s in starts]
    for _ in range(max_hops):  # breadth-first, so shorter paths come first
        longer = []
        for node, path, visited in layer:
            for row, other in links.get(node, []):
                if other in visited:
                    continue
                if other in ends:
                    paths.append([*path, row])
                else:
                    longer.append((other, [*path, row], visited | {other}))
        if len(paths) >= MAX_PATHS:
            break
        layer = longer
    return paths[:MAX_PATHS]


async def timeline(backend: GraphBackend, scope: Scope, entity: str, *, limit: int = 100) -> dict[str, Any]:
    """Every relation of an entity, ended ones too, and the changes in time order: when each began
    (`started`) and, for a relation a newer fact contradicted, when it ended (`ended`)."""
    entity, limit = _check_name(entity, "entity"), _check_limit(limit)
    matched = await _matching(backend, scope, entity)
    rows = await _hop(backend, [r["id"] for r in matched], include_invalid=True)
    relations = sorted((_relation(r) for r in rows), key=lambda r: r["valid_at"] or "")
    changes = [{"at": r["valid_at"], "change": "started", **_short(r)} for r in relations]
    changes += [{"at": r["invalid_at"], "change": "ended", **_short(r)} for r in relations if r["invalid_at"]]
    changes.sort(key=lambda c: (c["at"] or "", c["change"] == "started"))
    return {"entity": entity, "found": bool(matched), "relations": relations[:limit], "changes": changes[:limit]}


def _short(relation: dict[str, Any]) -> dict[str, Any]:
    return {k: relation[k] for k in ("source", "relationship", "target", "fact")}


async def what_was_true(backend: GraphBackend, scope: Scope, as_of: datetime | str, *, entity: str | None = None,
                        limit: int = 50) -> dict[str, Any]:
    """The memories and relations that held at `as_of` (optionally only the relations of one entity)."""
    when, limit = check_when(as_of), _check_limit(limit)
    if when is None:
        raise ValidationError("'as_of' is required", field="as_of")
    params = {"at": iso_utc(when), "limit": limit, **scope.params()}
    if entity is not None:
        found = await neighbourhood(backend, scope, entity, hops=1, as_of=when, limit=limit)
        relations = found["relations"]
    else:
        relations = [_relation(r) for r in await backend.read("graph/relations_valid_at", params)]
    memories = [memory_record(r) for r in await backend.read("graph/memories_valid_at", params)]
    return {"as_of": iso_utc(when), "memories": memories, "relations": relations}


async def summary(backend: GraphBackend, scope: Scope, top: int = 10) -> dict[str, Any]:
    """How big the scope's graph is, its most mentioned entities and its most used relation names."""
    [counts] = await backend.read("graph/scope_counts", scope.params())
    names = await backend.read("relation/list", {"limit": 10_000, "include_invalid": False, **scope.params()})
    kinds = Counter(r["relationship"] for r in names)
    return {"entities": counts["entities"], "memories": counts["memories"], "relations": counts["relations"],
            "top_entities": await entities(backend, scope, top),
            "relation_types": [{"relationship": k, "count": n} for k, n in kinds.most_common(top)]}


async def scopes(backend: GraphBackend) -> list[Scope]:
    """The scopes that hold current memories (LangGraph's namespaces are scopes)."""
    rows = await backend.read("graph/scopes", {})
    return [Scope.of(r["user_id"], r["agent_id"], r["run_id"], required=False) for r in rows]


async def scope_sizes(backend: GraphBackend) -> list[tuple[Scope, int]]:
    """The scopes that hold current memories, each with how many of them get_all lists (the unexpired ones),
    in one read: the server's users() sums these instead of listing every user's memories."""
    key = json.dumps(EXPIRATION_KEY)  # as the stored metadata text spells it: '"expiration_date"'
    rows = await backend.read("graph/scope_sizes", {"expiry_key": key})
    return [(Scope.of(r["user_id"], r["agent_id"], r["run_id"], required=False),
             r["memories"] - _expired(r["expiring"])) for r in rows]


def _expired(metadata_texts: list[str] | None) -> int:
    """How many of these metadata texts hold an expiration date that has passed (a nested key of that name
    also matched the store's text test; only a top-level date counts, as in get_all)."""
    return sum(1 for text in metadata_texts or () if text and is_expired(_metadata_of(text)))


def _metadata_of(text: str) -> dict[str, Any]:
    """A stored metadata text as a dict; {} for one that is not a JSON object (an import may have written it):
    it expires nothing, and fails no count of another tenant's."""
    try:
        metadata = json.loads(text)
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}
