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

- it holds until the next memory of the chain was said (began, or was said again, below), or until S's
  own end of its history if that is earlier, and its DELETE event names that memory;
- a memory of the chain that held at `now` ([valid_at, invalid_at) contains it) and was last said by
  then ends at `now`: the later-said fact holds, as in any supersession. Its record moves with it
  (`invalid_at` and `updated_at`, which for an ended memory are its end) and its one DELETE event is
  rewritten to name the new fact at `now`, so its history still reads ADD, then DELETE by what ended it.
  Its relations that held at `now` end then too; one that began later is not ended by it (supersede.py's
  rule).
- a memory of the chain that held at `now` but was said again after it (`said_again`: an add's UPDATE
  refined it later) is the later-said one: it is not cut, and the late fact ends at that UPDATE, as
  against the contradicted memory itself (supersede.py). An ended memory's `updated_at` is its end, so the
  UPDATE's time is read from its events (`memory/ended_in_scope`); a manual `update()` is no saying.

Limits: a chain link is found by text, so a member UPDATEd before it ended others is linked only by
its last text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graphmem.backends.base import Statement
from graphmem.ingest.timeline import earliest, instant, latest, supersedes
from graphmem.search.when import within


@dataclass(frozen=True)
class Ended:
    """A memory that stopped holding, as `memory/ended_in_scope` reads it, with the DELETE event that
    ended it (`ended_by`: that event's `new_text`) and the time of its last UPDATE by an add (`said_again`)."""

    id: str
    text: str
    valid_at: str
    invalid_at: str
    event_id: str
    ended_by: str | None
    said_again: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Ended:
        return cls(id=row["id"], text=row["text"], valid_at=row["valid_at"], invalid_at=row["invalid_at"],
                   event_id=row["event_id"], ended_by=row["ended_by"], said_again=last_said_again(row.get("updates")))

    def held_at(self, now: str) -> bool:
        """Whether it held at `now` and had been said last by then (a fact said at `now` ends it)."""
        return held_at(self.valid_at, self.invalid_at, now) and supersedes(now, self.said_again)

    def said_after(self, now: str) -> str | None:
        """When it was next said after `now`, while it had not ended by then: its start, or (holding at
        `now`) its later UPDATE. None: it ended by `now`, or holds at `now` as last said."""
        if not supersedes(now, self.valid_at):
            return self.valid_at
        if self.said_again and not supersedes(now, self.said_again) and not supersedes(now, self.invalid_at):
            return self.said_again
        return None


def held_at(valid_at: str | None, invalid_at: str | None, now: str) -> bool:
    """Whether a span [valid_at, invalid_at) (no end: still holding) contains `now`. Times compare as
    instants (timeline.instant: an unreadable start is before everything, and so is an unreadable end)."""
    return within(instant(valid_at), instant(invalid_at) if invalid_at is not None else None, instant(now))


def last_said_again(updates: Iterable[dict[str, Any]] | None) -> str | None:
    """The time of the last UPDATE an add made among these events (`{event, role, created_at}`): an add
    records the role of the message that said it; a manual `update()` records none, and is not a saying."""
    said = [e["created_at"] for e in updates or () if e and e.get("event") == "UPDATE" and e.get("role")]
    return latest(*said) if said else None


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


def next_after(chain: Sequence[Ended], now: str) -> tuple[str, Ended] | None:
    """The memory of the chain said first after `now`, and when (a late fact said at `now` ends then): one
    that began after `now`, or one that held then but was said again later (`Ended.said_after`)."""
    later = [(t, m) for m in chain if (t := m.said_after(now))]
    if not later:
        return None
    first = earliest(*(t for t, _ in later))
    return next((t, m) for t, m in later if t == first)


def cut_statements(chain: Sequence[Ended], now: str, text: str, relations: Sequence[dict[str, Any]]) -> list[Statement]:
    """End at `now` the memories of the chain that held then, superseded by the fact `text` said at `now`,
    with their DELETE events and the relations (`relation/spans_of_memories` rows) that held then."""
    statements: list[Statement] = []
    for member in (m for m in chain if m.held_at(now)):
        held = [r["id"] for r in relations
                if r["memory_id"] == member.id and held_at(r.get("valid_at"), r.get("invalid_at"), now)]
        statements += [Statement("memory/invalidate", {"id": member.id, "invalid_at": now, "updated_at": now}),
                       Statement("event/set_end", {"id": member.event_id, "new_text": text, "created_at": now})]
        if held:
            statements.append(Statement("relation/invalidate", {"ids": held, "invalid_at": now}))
    return statements

