"""The offline add's contradictions: which stored memories its single-valued relations supersede.

An add without an LLM reads the scope's valid relations of the same kinds around the same subjects
(one read, only when the extraction states such a relation), marks each new fact that states another
value with `contradicts` (the stored memory), and returns the stored rows as the `Nearby` the LLM
path would have read. Adder._write then supersedes them exactly as it does for the model's verdicts.
"""

from __future__ import annotations

from typing import Any

from graphmem.backends.base import GraphBackend, Row
from graphmem.ingest import single_valued as sv
from graphmem.ingest.normalize import normalise_name
from graphmem.ingest.reconcile import Nearby
from graphmem.ingest.timeline import supersedes
from graphmem.models import Extraction
from graphmem.scope import Scope


async def contradictions(backend: GraphBackend, scope: Scope, extraction: Extraction,
                         now: str) -> tuple[Extraction, Nearby]:
    """The extraction with its contradicting facts marked, and the stored memories they contradict
    (`now`: when the add was said)."""
    types = {e.name.lower(): e.type for e in extraction.entities}
    new = [s for r in extraction.relations
           if (s := sv.stated(r.source, r.relation, r.target, types.get(r.target.lower()), r.fact))]
    if not new:
        return extraction, Nearby()
    ids = await _subject_ids(backend, scope, {s.subject for s in new})
    resolved = [_with_subject(s, ids[normalise_name(s.subject)]) for s in new if normalise_name(s.subject) in ids]
    if not resolved:
        return extraction, Nearby()
    rows = await backend.read("relation/single_valued", {"ids": sorted(set(ids.values())), "types": sv.TYPES})
    stored = [(_with_subject(s, _subject_id(row)), row["memory_id"]) for row in rows
              if row["memory_id"] and (s := sv.stated(row["source"], row["type"], row["target"], row["target_type"]))]
    found = sv.contradicted(resolved, stored)
    if not found:
        return extraction, Nearby()
    memories = await backend.read("memory/nearby_rows", {"ids": sorted(found)})
    current = {m["id"]: m for m in memories if m["invalid_at"] is None and Scope.of_row(m).key == scope.key}
    marked, also = _mark(extraction, {mid: fact for mid, fact in found.items() if mid in current}, current, now)
    return marked, Nearby(rows=current, also=also)


async def _subject_ids(backend: GraphBackend, scope: Scope, names: set[str]) -> dict[str, str]:
    """Normalised subject name (or alias) -> the scope's entity id."""
    keys = sorted({normalise_name(n) for n in names} - {""})
    found: dict[str, str] = {}
    for row in await backend.entities_by_names(keys, scope):
        for name in (row["name_norm"], *(row.get("aliases") or [])):
            if name in keys:
                found.setdefault(name, row["id"])
    return found


def _with_subject(stated: sv.Stated, subject: str) -> sv.Stated:
    return sv.Stated(subject, stated.kind, stated.value, stated.partner, stated.fact)


def _subject_id(row: dict[str, Any]) -> str:
    """The id of the end of a stored relation that is its slot's subject (a partner relation's target)."""
    return str(row["target_id"] if row["type"] in sv.PARTNER_OF else row["source_id"])


def _mark(extraction: Extraction, found: dict[str, str], rows: dict[str, Row], now: str
          ) -> tuple[Extraction, dict[str, tuple[str, ...]]]:
    """Each fact that contradicts stored memories names the first (`contradicts`, as a model's verdict);
    the others it supersedes with it go in `also` under that one. Only a fact said after all of them
    supersedes more than one: an older fact is stored as history against one memory (supersede.py)."""
    facts, also = [], {}
    for fact in extraction.facts:
        targets = sorted((mid for mid, text in found.items() if text == fact.text),
                         key=lambda mid: (str(rows[mid]["created_at"]), mid))  # oldest first, as said
        if targets and fact.contradicts is None and fact.updates is None:
            fact = fact.model_copy(update={"contradicts": targets[0]})
            if all(supersedes(now, rows[mid].get("valid_at") or rows[mid]["created_at"]) for mid in targets):
                also[targets[0]] = tuple(targets[1:])
        facts.append(fact)
    return extraction.model_copy(update={"facts": facts}), {k: v for k, v in also.items() if v}
