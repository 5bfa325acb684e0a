"""Contradictions in time order: the statements that end the losing fact of each. Pure: no I/O.

A new fact said at `now` (the add's time: `timestamp`, or the current time) contradicts a stored
memory valid since `began` (the model's DELETE verdict):

- now >= began (the usual add): the stored memory is superseded. It gets `invalid_at = now` and a
  DELETE event naming the new fact, and leaves the current view (search, get_all); `as_of` still finds it.
- now < began (an import of older messages after newer ones): the stored memory stays current. The new
  fact is stored as history: it held from `now` until the stored memory began, so its `invalid_at` is
  `began`; its history is its ADD event, then a DELETE event at `began` naming the memory that replaced it.
  The add returns it as ADD with that `invalid_at`; the stored memory is not in the results.

Relations drawn from the losing memory end at the same time, each by the same rule on its own `valid_at`:
a relation that began after that time is not ended by it.

The history memory is created by the add's usual rows (as current) and ended by `memory/invalidate` later
in the same transaction: nothing else sees it in between, and the Kuzu backend's loaded scopes, which
track every statement in order, add it and then drop it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphmem.backends.base import Statement
from graphmem.ingest.plan import NewMemory, event_row
from graphmem.ingest.timeline import latest, supersedes


@dataclass(frozen=True)
class Contradiction:
    """A new memory that contradicts a stored one (`stored`: its row, as `memory/nearby_rows` reads it)."""

    memory: NewMemory
    stored: dict[str, Any]
    now: str

    @property
    def began(self) -> str:
        """When the stored memory started to hold (an UPDATE keeps it, so `valid_at` is when it was first said)."""
        return str(self.stored.get("valid_at") or self.stored["created_at"])

    @property
    def late(self) -> bool:
        """Whether the new fact is older than the stored memory, and so is stored as history."""
        return not supersedes(self.now, self.began)

    @property
    def ends_at(self) -> str:
        """When the losing fact stops holding: the new one's time, or (late) the stored one's start."""
        return self.began if self.late else self.now


def contradiction_statements(contradiction: Contradiction, events: Sequence[dict[str, Any]]) -> list[Statement]:
    """End the losing memory and record a DELETE event on it (`events`: the stored memories' events so far)."""
    if contradiction.late:
        return _store_as_history(contradiction)
    return _supersede_stored(contradiction, events)


def _supersede_stored(contradiction: Contradiction, events: Sequence[dict[str, Any]]) -> list[Statement]:
    row, now = contradiction.stored, contradiction.now
    # updated_at and the event's time never go back before the memory's own (its last UPDATE may be later)
    recorded = latest(now, row.get("created_at"), row.get("updated_at"))
    seq = sum(1 for e in events if e["memory_id"] == row["id"])
    event = event_row(row["id"], "DELETE", row["text"], contradiction.memory.text, recorded, seq)
    return _ending(row["id"], now, recorded, event)


def _store_as_history(contradiction: Contradiction) -> list[Statement]:
    memory, began = contradiction.memory, contradiction.began
    event = event_row(memory.id, "DELETE", memory.text, contradiction.stored["text"], began, 1)
    # (history lists events by time, then seq: this DELETE at `began` follows the ADD said earlier)
    return _ending(memory.id, began, began, event)


def _ending(memory_id: str, invalid_at: str, updated_at: str, event: dict[str, Any]) -> list[Statement]:
    return [Statement("memory/invalidate", {"id": memory_id, "invalid_at": invalid_at, "updated_at": updated_at}),
            Statement("event/create", {"rows": [event]}),
            Statement("event/link", {"rows": [{"id": event["id"], "memory_id": memory_id}]})]


def relations_ending(rows: Sequence[dict[str, Any]], now: str) -> list[str]:
    """Ids of the superseded memories' relations (`{id, valid_at}`) that a fact said at `now` ends."""
    return [r["id"] for r in rows if supersedes(now, r.get("valid_at"))]


def end_history_relations(relations: Sequence[dict[str, Any]], contradictions: Sequence[Contradiction]) -> None:
    """Give the new relations drawn from a memory stored as history the same end (in place, before they
    are written): they held until the stored memory began, unless they began later themselves."""
    ends = {c.memory.id: c.began for c in contradictions if c.late}
    for row in relations:
        end = ends.get(row.get("memory_id") or "")
        if end is not None and supersedes(end, row["valid_at"]):
            row["invalid_at"] = end
