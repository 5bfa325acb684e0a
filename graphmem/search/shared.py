"""Memories that share a specific entity with the best hits: the graph read as "what else was said about this".

The best vector and keyword hits of a question name things (a dog called Pepper, a venue, a city) that other
messages of the conversation name too, in other words than the question's: "Where did Nora and Callum go on
honeymoon?" finds "Portugal! Lisbon for a few days…" and, through Portugal and Lisbon, "Portugal was dreamy. We
got back on Wednesday", which shares no word with the question. Only specific entities count (mentioned by at
most SHARED_MAX_DEGREE memories: a speaker or a word said everywhere links everything), and not those the query
names itself (the `named` signal ranks those). A memory scores the sum, over the seeds' entities it mentions, of
1/√(entity's mentions). A seed's own entities count for it too, so the ranking also orders the best hits by how
many specific things they name (a message naming a venue and a date before a "Ha, yes!"). Measured apart, each
half did less than the two together (bench/RESULTS.md, session 16). In a small scope (fewer than
`search.shared_min_memories` memories) the best hits already hold most of what is said of a thing, and the signal
stays off.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from graphmem.backends.base import GraphBackend, Row
from graphmem.scope import Scope

SHARED_SEEDS = 5  # best hits of each of the vector and keyword rankings whose entities seed the signal
SHARED_MAX_DEGREE = 10  # an entity more memories mention is too general to link two of them


def seed_ids(vector_ids: Sequence[str], keyword_ids: Sequence[str]) -> list[str]:
    """The memories whose entities seed the signal: the best SHARED_SEEDS of each ranking, once each."""
    return list(dict.fromkeys([*vector_ids[:SHARED_SEEDS], *keyword_ids[:SHARED_SEEDS]]))


def seed_entities(briefs: Iterable[Mapping[str, Any]], named: Collection[str]) -> list[str]:
    """The entities the seed memories mention, those the query names left out, in order."""
    return list(dict.fromkeys(entity for row in briefs for entity in (row.get("entity_ids") or ())
                              if entity not in named))


def ranked_by_mentions(mentions: Iterable[Mapping[str, Any]], limit: int,
                       weights: Mapping[str, float] | None = None) -> list[str]:
    """Memory ids by the summed weight/√degree of the entities they mention, best first (`mentions`: rows
    `{entity_id, memory_id, degree}` as `GraphBackend.memories_mentioning` gives them; `weights`: each entity's,
    1 when None). Dividing by √degree keeps a hub from drowning specific entities. The shared signal and the graph
    signal (its reached entities, weighed by their expansion score) both rank this way."""
    totals: dict[str, float] = {}
    for row in {(r["entity_id"], r["memory_id"]): r for r in mentions}.values():  # an update may list one twice
        weight = 1.0 if weights is None else weights[row["entity_id"]]
        totals[row["memory_id"]] = totals.get(row["memory_id"], 0.0) + weight / math.sqrt(max(1, row["degree"]))
    return sorted(totals, key=lambda memory_id: -totals[memory_id])[:limit]


async def sharing(backend: GraphBackend, briefs: Callable[[list[str]], Awaitable[list[Row]]],
                  rankings: Mapping[str, Sequence[str]], named: Collection[str], scope: Scope, limit: int) -> list[str]:
    """The signal's ranking: the memories that name a specific entity the best vector and keyword hits name
    (`briefs`: the search's reads of memories by id, with their `entity_ids`)."""
    seeds = await briefs(seed_ids(rankings.get("vector", []), rankings.get("keyword", [])))
    entities = seed_entities(seeds, named)
    mentions = await backend.memories_mentioning(entities, SHARED_MAX_DEGREE, scope) if entities else []
    return ranked_by_mentions(mentions, limit)
