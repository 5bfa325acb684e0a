"""Reconciliation: what each new fact does to the scope's stored memories. Pure: no I/O.

Before the extraction call, the memories nearest to the new messages are read
(`Nearby`): the first `SHOWN` are shown to the model, which may say that a fact
updates or contradicts one of them; the rest are only compared by embedding.
Each fact then gets one event:

- NONE: the same meaning is stored already (cosine >= DUPLICATE to a nearby memory,
  or an UPDATE that would not change the text). Not written, not returned (as mem0).
- UPDATE: the model says it refines a shown memory: that memory's text is replaced.
- DELETE: the model says it contradicts a shown memory: the fact is added and the
  old memory superseded (kept with `invalid_at`, for `search(as_of=...)`); or, when
  the fact was said before that memory (an import), the memory stays and the fact
  is stored as history (graphmem/ingest/supersede.py).
- ADD: anything else.

A fact the model gave no verdict for, but that is very similar (>= AMBIGUOUS) to a
memory it was not shown, is `ambiguous`: the caller may ask the model once more
(`settle`), since the cheap signal cannot tell a paraphrase from a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from graphmem.ingest.extract import Verdict
from graphmem.ingest.normalize import memory_hash
from graphmem.ingest.timeline import supersedes
from graphmem.inprocess.similarity import cosines
from graphmem.models import ExtractedFact

SHOWN = 10            # memories shown to the extraction model (mem0 shows 10 too)
NEARBY = 30           # memories read and compared by embedding
DUPLICATE = 0.95      # cosine at which a fact is taken for a stored one
AMBIGUOUS = 0.85      # cosine at which an unshown memory may be what a fact talks about

Event = Literal["ADD", "NONE", "UPDATE", "DELETE"]


@dataclass(frozen=True)
class Nearby:
    """Stored memories near an add's messages, most similar first, with their embeddings."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    shown: tuple[str, ...] = ()
    # Stored memory a fact contradicts -> more stored memories the same fact supersedes with it (the
    # offline path: "I moved to Paris and work at Microsoft" ends the home's memory and the job's).
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def existing(self) -> dict[str, str]:
        """What the extractor is shown: id -> text."""
        return {mid: self.rows[mid]["text"] for mid in self.shown}


@dataclass
class Decision:
    """One fact's event; `target` is the stored memory it updates (UPDATE) or supersedes (DELETE)."""

    fact: ExtractedFact
    vector: list[float]
    event: Event = "ADD"
    target: str | None = None
    candidates: list[str] = field(default_factory=list)  # unshown look-alikes, when ambiguous

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)


def decide(facts: Sequence[ExtractedFact], vectors: Sequence[list[float]], nearby: Nearby,
           now: str | None = None) -> list[Decision]:
    """Each fact's event from the model's verdicts and the embeddings (see the module docstring).

    A stored memory is updated or superseded once per add. Contradicted by several facts said before it
    began (`now`, an import of older messages), it is contradicted by each: it stays current, and each
    is stored as history (ingest/supersede.place_late puts them one after the other)."""
    decisions: list[Decision] = []
    claimed: dict[str, Event] = {}  # stored memory -> what an earlier fact of the add did to it
    for fact, vector, similar in zip(facts, vectors, cosines(vectors, nearby.rows), strict=True):
        decision = Decision(fact, vector)
        target = fact.contradicts or fact.updates
        again = bool(fact.contradicts) and now is not None and target in nearby.rows \
            and claimed.get(target or "") == "DELETE" and not supersedes(now, nearby.rows[target].get("valid_at"))
        if target in nearby.rows and (target not in claimed or again):
            _apply(decision, Verdict("DELETE" if fact.contradicts else "UPDATE", target), nearby)
        elif similar and max(similar.values()) >= DUPLICATE:
            decision.event = "NONE"
        else:
            decision.candidates = [mid for mid, s in sorted(similar.items(), key=lambda kv: -kv[1])
                                   if s >= AMBIGUOUS and mid not in nearby.shown and mid not in claimed]
        if decision.target:
            claimed[decision.target] = decision.event
        decisions.append(decision)
    return decisions


def _apply(decision: Decision, verdict: Verdict, nearby: Nearby) -> None:
    decision.candidates = []
    decision.event, decision.target = verdict.event, verdict.memory_id
    if verdict.event == "UPDATE" and verdict.memory_id is not None \
            and nearby.rows[verdict.memory_id].get("hash") == memory_hash(decision.fact.text):
        decision.event, decision.target = "NONE", None  # an update to the same text changes nothing
    if verdict.event in ("ADD", "NONE"):
        decision.target = None


def settle(decisions: Sequence[Decision], verdicts: Sequence[Verdict], nearby: Nearby) -> None:
    """Apply the second call's verdicts to the ambiguous decisions, in order; the rest stay ADD."""
    claimed = {d.target for d in decisions if d.target}
    for decision, verdict in zip([d for d in decisions if d.ambiguous], verdicts, strict=False):
        usable = verdict.memory_id in decision.candidates and verdict.memory_id not in claimed
        if verdict.event == "NONE" or usable:
            _apply(decision, verdict, nearby)
            if decision.target:
                claimed.add(decision.target)
    for decision in decisions:
        decision.candidates = []
