"""Where an older fact imported late fits among the history already stored. Pure: no I/O.

A fact said at `now` that contradicts a stored memory S but is older than it is stored as history
(graphmem/ingest/supersede.py). S may have a past already: memories it ended, as history imported
before or superseded in time order. Without care two of them overlap: with Berlin (2024) stored, Paris
(2021) and London (2022) imported both held until 2024.

**The chain of S** is the memories S ended, the memories those ended, and so on: S's past on one line
of time (Paris, then London, then Berlin). What ended a memory is recorded on it: its DELETE event's
`new_text` names the fact that ended it. So an ended memory is in S's chain when that event names S (by
its text, or a text an UPDATE of S replaced) or another memory of the chain. The model names only S
(history is not shown to it); the chain follows from that verdict alone, with no guess from similarity.
A memory ended by something else (alex worked at Google until Meta), however near in time or
meaning, is not in it.

A late fact said at `now` takes its place in the chain, so the chain never overlaps:

- it holds until the next memory of the chain began (or S's own end of its history, when none began
  after `now`), and its DELETE event names that memory;
- a memory of the chain that held at `now` ([valid_at, invalid_at) contains it) ends at `now`: the
  later-said fact holds, as in any supersession. Its record moves with it (`invalid_at` and `updated_at`,
  which for an ended memory are its end) and its one DELETE event is rewritten to name the new fact at
  `now`, so its history still reads ADD, then DELETE by what ended it. Its relations that held at `now`
  end then too; one that began later is not ended by it (supersede.py's rule).

Limits: a chain link is found by text, so a member UPDATEd before it ended others is linked only by
its last text; two late facts of one add against the same memory are placed independently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graphmem.backends.base import Statement
from graphmem.ingest.timeline import earliest, supersedes


@dataclass(frozen=True)
class Ended:
    """A memory that stopped holding, as `memory/ended_in_scope` reads it, with the DELETE event that
    ended it (`ended_by`: that event's `new_text`)."""

    id: str
    text: str
    valid_at: str
    invalid_at: str
    event_id: str
    ended_by: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Ended:
        return cls(id=row["id"], text=row["text"], valid_at=row["valid_at"], invalid_at=row["invalid_at"],
                   event_id=row["event_id"], ended_by=row["ended_by"])

    def held_at(self, now: str) -> bool:
        return supersedes(now, self.valid_at) and not supersedes(now, self.invalid_at)


def chain_of(names: Iterable[str], ended: Sequence[Ended]) -> list[Ended]:
    """The ended memories that one of `names` ended, that those ended, and so on (each once)."""
    by_ender: dict[str, list[Ended]] = {}
    for row in ended:
        if row.ended_by:
            by_ender.setdefault(row.ended_by, []).append(row)
    found: list[Ended] = []
    todo, seen = list(names), set[str]()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            found += by_ender.get(name, [])
            todo += [row.text for row in by_ender.get(name, [])]
    return found


def next_after(chain: Sequence[Ended], now: str) -> Ended | None:
    """The memory of the chain that began first after `now` (a late fact said at `now` ends when it began)."""
    later = [m for m in chain if not supersedes(now, m.valid_at)]
    if not later:
        return None
    first = earliest(*(m.valid_at for m in later))
    return next(m for m in later if m.valid_at == first)


def cut_statements(chain: Sequence[Ended], now: str, text: str, relations: Sequence[dict[str, Any]]) -> list[Statement]:
    """End at `now` the memories of the chain that held then, superseded by the fact `text` said at `now`,
    with their DELETE events and the relations (`relation/spans_of_memories` rows) that held then."""
    statements: list[Statement] = []
    for member in (m for m in chain if m.held_at(now)):
        held = [r["id"] for r in relations if r["memory_id"] == member.id and _held_at(r, now)]
        statements += [Statement("memory/invalidate", {"id": member.id, "invalid_at": now, "updated_at": now}),
                       Statement("event/set_end", {"id": member.event_id, "new_text": text, "created_at": now})]
        if held:
            statements.append(Statement("relation/invalidate", {"ids": held, "invalid_at": now}))
    return statements


def _held_at(relation: dict[str, Any], now: str) -> bool:
    ended = relation.get("invalid_at")
    return supersedes(now, relation.get("valid_at")) and (ended is None or not supersedes(now, ended))
