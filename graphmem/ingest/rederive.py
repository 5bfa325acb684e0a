"""update() re-derives a memory's entities and relations from its new text.

An update that changes the text ends (`invalid_at`) the valid relations drawn from the memory that the
new text no longer states, and begins the ones it states that no valid relation holds yet: after
`update("I work at Google." -> "I work at Microsoft.")` the graph says `works_at Microsoft`, and
`works_at Google` is kept only as history (as an add's supersession keeps it, for `as_of`).

Only a memory that relations were drawn from is read for relations again: one stored verbatim
(`infer=False`) names its entities but states no relations, and an update does not infer for it. The
relations come from the offline extractor (no LLM call for an update, as mem0 makes none); with an LLM
extractor configured they are left as they are (its relation names are the model's, which the offline
parse would not reproduce: "alex lives in Paris, France" must not end `lives_in Paris`). An update that
keeps the text never comes here (ingest/changes.py writes its metadata alone).

New relations begin at the update's time: an import said earlier that supersedes the memory afterwards
does not end them (supersede.py ends only relations that began before the superseding fact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphmem.backends.base import GraphBackend, Row, Statement
from graphmem.ingest.extract import ExtractionContext, Extractor
from graphmem.ingest.offline import OfflineExtractor
from graphmem.ingest.plan import EntityTable, relation_rows
from graphmem.models import ExtractedEntity, ExtractedRelation, Message


@dataclass(frozen=True)
class Derived:
    """What the new text names and states, and the valid relations drawn from the memory (`held`)."""

    entities: list[ExtractedEntity] = field(default_factory=list)
    relations: list[ExtractedRelation] = field(default_factory=list)
    held: list[Row] = field(default_factory=list)


async def derive(backend: GraphBackend, extractor: Extractor, memory_id: str, message: Message,
                 context: ExtractionContext) -> Derived:
    """The entities a memory's new text names (the linker's; the relations' ends too) and, when relations were
    drawn from the memory, the relations it states."""
    mentioned = (await extractor.mentions([message], context))[0]
    offline = isinstance(extractor, OfflineExtractor)
    held = await backend.read("relation/of_memories", {"ids": [memory_id]}) if offline else []
    if not held:
        return Derived(mentioned)
    extraction = await extractor.extract([message], context)
    named = {e.name.lower() for e in extraction.entities}  # the parse types them better than the linker
    return Derived([*extraction.entities, *(e for e in mentioned if e.name.lower() not in named)],
                   list(extraction.relations), held)


async def relation_statements(backend: GraphBackend, row: Row, derived: Derived, entities: EntityTable,
                              now: str) -> list[Statement]:
    """End the memory's relations the new text does not state; create those it states that are new.
    (Run after the entities they join are created.)"""
    held = derived.held
    ids = sorted({i for r in derived.relations for i in (entities.id_of(r.source), entities.id_of(r.target)) if i})
    between = await backend.read("relation/existing", {"source_ids": ids, "target_ids": ids}) if ids else []
    stated = _stated_keys(derived.relations, entities)
    kept = {r["id"] for r in between if (r["source_id"], r["type"], r["target_id"]) in stated}
    ending = [r["id"] for r in held if r["id"] not in kept]
    existing = {(r["source_id"], r["type"], r["target_id"]) for r in between if r["id"] not in ending}
    rows = relation_rows(derived.relations, entities, existing, {r.fact: row["id"] for r in derived.relations},
                         None, now)
    for new in rows:
        new["memory_id"] = row["id"]
    statements = [Statement("relation/invalidate", {"ids": ending, "invalid_at": now})] if ending else []
    if rows:
        statements.append(Statement("relation/create", {"rows": rows}))
    return statements


def _stated_keys(relations: Sequence[ExtractedRelation], entities: EntityTable) -> set[tuple[str | None, str,
                                                                                               str | None]]:
    return {(entities.id_of(r.source), r.relation, entities.id_of(r.target)) for r in relations}
