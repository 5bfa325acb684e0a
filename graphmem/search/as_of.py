"""`search(..., as_of=datetime)`: what was valid at a past time.

Retrieval only ranks memories and relations valid now. For a past time, the
memories and relations superseded since (few: only contradictions supersede)
are read in one query each and joined in: superseded memories through the
vector signal, by the best of their own and their sentences' vectors as current ones, their context vector's
weighed in the same way (the fusion is redone with them in it), superseded relations by
their relevance to the query. Then every result is checked against the time:
created (relations: valid) at or before it, and not invalidated by then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from graphmem.backends.base import GraphBackend, Row
from graphmem.config import SearchConfig
from graphmem.errors import ValidationError
from graphmem.inprocess.similarity import best_cosines, cosines, ranked_in_context
from graphmem.scope import Scope
from graphmem.search.fusion import best, fuse
from graphmem.search.relations import rank_relations
from graphmem.search.retrieve import Retrieval
from graphmem.search.when import aware, iso_utc, parse_time, within

RELEVANCE_FLOOR = 0.3  # a superseded relation is shown only when this relevant to the query
# (query, fused scores, the context lift's raises, scope) -> the scores after retrieval's later steps
Reweigh = Callable[[str, dict[str, float], Mapping[str, float], Scope], Awaitable[dict[str, float]]]


def check_as_of(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime; a naive one is taken as UTC (graphmem stores UTC times)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError("as_of must be a datetime", field="as_of")
    return aware(value).astimezone(timezone.utc)


def check_when(value: Any, field: str = "as_of") -> datetime | None:
    """`as_of` where text is taken too (the server's JSON, the tools, the explorer, `graph()` and the graph
    queries; `search()` takes a datetime, as mem0's): None, a datetime (naive: UTC) or ISO-8601 text
    ('2024-05-01', '2024-05-01T12:00:00Z'), as aware UTC."""
    if isinstance(value, str):
        when = parse_time(value.strip())
        if when is None:
            raise ValidationError(f"{field!r} must be an ISO-8601 date or time, e.g. '2024-05-01'", field=field)
    elif value is None or isinstance(value, datetime):
        when = value
    else:
        raise ValidationError(f"{field!r} must be a datetime or an ISO-8601 date or time", field=field)
    try:
        return check_as_of(when)
    except OverflowError:  # an offset that moves year 1 or 9999 off the calendar in UTC
        raise ValidationError(f"{field!r} is outside the years 1-9999 in UTC", field=field) from None


def valid_then(row: Mapping[str, Any], when: datetime, start: str = "created_at") -> bool:
    """Whether a memory (start="created_at") or relation ("valid_at") held at `when`."""
    return within(parse_time(row.get(start)), parse_time(row.get("invalid_at")), when)


async def widen(backend: GraphBackend, found: Retrieval, query: str, scope: Scope, when: datetime,
                config: SearchConfig, reweigh: Reweigh) -> list[Row]:
    """Join the memories superseded since `when` into `found`; return the relations superseded since,
    ranked like retrieval's (rows with from_name, to_name, type, fact, score, hops, valid_at, invalid_at).
    `reweigh` takes the fusion redone through retrieval's later steps (Retriever.reweighed)."""
    params = {"as_of": iso_utc(when), **scope.params()}
    superseded = await backend.read("memory/superseded_at", params)
    similarity = best_cosines(found.vector, superseded)
    if similarity:  # retrieval's fusion redone with them in the vector signal, then its later steps
        vector = found.signals["vector"] = {**found.signals.get("vector", {}), **similarity}
        weight = (found.config or config).context_vector_weight
        rank = {mid: found.vector_rank.get(mid, own) for mid, own in vector.items()}
        found.rankings["vector"] = best({**rank, **_ranked_in_context(found.vector, superseded, similarity, weight)})
        fused = fuse(found.rankings, {k: v for k, v in found.signals.items() if k != "context"},
                     found.config or config)
        found.scores = await reweigh(query, fused, found.signals.get("context", {}), scope)
    relations = [{**r, "score": 1.0, "hops": 1} for r in await backend.read("relation/invalidated_at", params)]
    known = {**found.signals.get("vector", {})}
    floor = 0.5 + 0.5 * RELEVANCE_FLOOR  # rank_relations scales a score by 0.5 + 0.5 * relevance
    return [r for r in rank_relations(relations, query, known) if r["score"] >= floor] if relations else []


def _ranked_in_context(vector: list[float], rows: list[Row], similarity: dict[str, float],
                       weight: float) -> dict[str, float]:
    """The superseded memories' ranking scores as the vector search ranks current ones: their similarity and
    their context vector's weighed in (inprocess/scopes.ScopeMemories.top_in_context)."""
    held = {r["id"]: {"embedding": r["context_embedding"]} for r in rows if r.get("context_embedding")}
    if weight <= 0 or not held:
        return similarity
    [context] = cosines([vector], held)
    return ranked_in_context(similarity, context, weight)


def relation_row(rel: Row) -> Row:
    """A superseded relation as `relation_record` reads rows."""
    return {"source": rel["from_name"], "relationship": rel["type"], "target": rel["to_name"], "fact": rel["fact"],
            "score": round(rel["score"], 6), "hops": rel["hops"], "valid_at": rel["valid_at"],
            "invalid_at": rel["invalid_at"]}
