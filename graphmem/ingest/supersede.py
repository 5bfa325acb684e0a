"""Contradictions in time order: the statements that end the losing fact of each. Pure: no I/O.

A new fact said at `now` (the add's time: `timestamp`, or the current time) contradicts a stored
memory valid since `began` (the model's DELETE verdict):

- now >= began and its last UPDATE by an add (the usual add): the stored memory is superseded. It gets
  `invalid_at = now` and a DELETE event naming the new fact, and leaves the current view (search,
  get_all); `as_of` still finds it.
- now < began (an import of older messages after newer ones): the stored memory stays current. The new
  fact is stored as history: it held from `now` until the stored memory began, so its `invalid_at` is
  `began`; its history is its ADD event, then a DELETE event at `began` naming the memory that replaced it.
  The add returns it as ADD with that `invalid_at`; the stored memory is not in the results.
- began <= now < the stored memory's last UPDATE by an add (`said_again`): the memory was said again,
  refined, after the new fact, so it is the later-said one and stays current. The new fact is history until that
  UPDATE. (Ending the memory at `now` would end what was said last, and date its end before its own
  update; ending it at the update would make the older-said fact current. One node cannot hold "Berlin
  until now, Berlin Mitte from the update", so as_of between the two sees both.) So a memory's
  `invalid_at` is never before its `valid_at` nor its last UPDATE by an add.

Only an add says things: its UPDATE event records the role of the message that said it
(`history.last_said_again`). A manual `Memory.update()` is an edit made now about nothing said now (a typo
fixed today does not make Paris, said in 2023, later-said than Berlin, said in 2024), so it stamps
`updated_at` but never decides which fact holds. (An add's UPDATE after such an edit is dated no earlier
than the edit, so history reads in order; it then counts as said at the edit.)

Relations drawn from a superseded memory end at the same time, each by the same rule on its own
`valid_at`: a relation that began after that time is not ended by it (a fact said then does not end what
only begins later). A history fact's new relations are never current: the fact was said before the
memory that holds, which holds from its start on. They end when the history fact ends; one the model
dated at or after that end never held, and is stored ended at its own start (an empty span: in no view,
current or as_of; the record of what was said stays). A relation whose fact text matches no memory of
the add is taken as a fact's of the add that names both its ends: a history one if any (a relation of the
add that could be history is not kept current on a guess), else the first. One that no fact names both
ends of is current, unless every fact of the add is history: nothing the add says holds now, so it ends
with the earliest of their ends.

A history memory takes its place in the stored memory's chain of history (graphmem/ingest/history.py): it
ends when the next memory of that chain was said, if before the end above (the earliest of the two: a
chain links by text, so a generic text may pull in a member said after the stored memory began), and the
memory of the chain that held when it was said ends then. Late facts of one add against the same stored
memory are placed latest first, each then in the chain of the next (`later`): each ends when the next
began. One add's facts share its time, so the later fact of the add holds from it and the earlier one
never held (an empty span, as a tie goes to the later-stored fact).

The history memory is created by the add's usual rows (as current) and ended by `memory/invalidate` later
in the same transaction: nothing else sees it in between, and the Kuzu backend's loaded scopes, which
track every statement in order, add it and then drop it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphmem.backends.base import Statement
from graphmem.ingest.history import Ended, chain_of, cut_statements, next_after
from graphmem.ingest.plan import EntityTable, NewMemory, event_row
from graphmem.ingest.timeline import earliest, latest, supersedes


@dataclass(frozen=True)
class Contradiction:
    """A new memory that contradicts a stored one (`stored`: its row, as `memory/nearby_rows` reads it;
    `said_again`: the time of its last UPDATE by an add; `chain`: the memories it ended, and so on, read
    only when the new memory is late; `later`: late facts of the same add against it, placed already)."""

    memory: NewMemory
    stored: dict[str, Any]
    now: str
    chain: tuple[Ended, ...] = ()
    said_again: str | None = None
    later: tuple[Ended, ...] = ()

    @property
    def began(self) -> str:
        """When the stored memory started to hold (an UPDATE keeps it, so `valid_at` is when it was first said)."""
        return str(self.stored.get("valid_at") or self.stored["created_at"])

    @property
    def last_said(self) -> str:
        """When the stored memory was last said: its start, or its last UPDATE by an add (not `updated_at`,
        which a manual edit stamps too)."""
        return latest(self.began, self.said_again)

    @property
    def late(self) -> bool:
        """Whether the new fact was said before the stored memory's last word, and so is stored as history."""
        return not supersedes(self.now, self.last_said)

    @property
    def ends_at(self) -> str:
        """When the losing fact stops holding: the new one's time; or (late) when the next memory of the
        stored one's chain was said, else the stored one's start, or its last UPDATE when the new fact was
        said between the two."""
        return self._next[0] if self.late else self.now

    @property
    def ended_by(self) -> str:
        """The text of what ends a late fact: the next memory of the chain, or the stored one."""
        return self._next[1]

    @property
    def _next(self) -> tuple[str, str]:
        # The earliest of: the chain's next saying, a later late fact of this add, the stored memory's own
        # end of its history (a chain member said after that would let the late fact overlap the stored one).
        candidates = [(m.valid_at, m.text) for m in self.later]
        follower = next_after(self.chain, self.now)
        if follower:
            candidates.append((follower[0], follower[1].text))
        candidates.append((self._stored_end, str(self.stored["text"])))
        first = earliest(*(t for t, _ in candidates))
        return next(c for c in candidates if c[0] == first)

    @property
    def _stored_end(self) -> str:
        return self.last_said if supersedes(self.now, self.began) else self.began

    def placed(self) -> Ended:
        """This late fact as a member of the stored memory's chain, for a fact of the same add said before it."""
        return Ended(id=self.memory.id, text=self.memory.text, valid_at=self.now, invalid_at=self.ends_at,
                     event_id="", ended_by=self.ended_by)

    def names(self, events: Sequence[dict[str, Any]]) -> set[str]:
        """The texts the stored memory has had (`events`: as `event/of_memories` reads them): what the
        DELETE events of the memories it ended name."""
        replaced = {e["old_text"] for e in events if e["memory_id"] == self.stored["id"] and e["event"] == "UPDATE"}
        return {str(self.stored["text"]), *(t for t in replaced if t)}


def place_late(contradictions: Sequence[Contradiction], ended: dict[str, Sequence[Ended]],
               events: Sequence[dict[str, Any]]) -> list[Contradiction]:
    """The contradictions, each late one with its stored memory's chain (`ended`: the ended memories of
    its scope, by stored memory id). Late ones against the same stored memory are placed last in the add
    first, each put in the `later` of those said before it: they end one after the other instead of
    overlapping."""
    placed = list(contradictions)
    later: dict[str, list[Ended]] = {}
    for i in reversed(range(len(placed))):  # one add's facts share its time: the last in the add is said last
        contradiction = placed[i]
        if contradiction.late:
            stored_id = contradiction.stored["id"]
            chain = chain_of(contradiction.names(events), ended[stored_id])
            placed[i] = dataclasses.replace(contradiction, chain=tuple(chain), later=tuple(later.get(stored_id, ())))
            later.setdefault(stored_id, []).append(placed[i].placed())
    return placed


def contradiction_statements(contradiction: Contradiction, events: Sequence[dict[str, Any]],
                             spans: Sequence[dict[str, Any]] = ()) -> list[Statement]:
    """End the losing memory and record a DELETE event on it (`events`: the stored memories' events so far;
    `spans`: the relations of the chain's memories, as `relation/spans_of_memories` reads them)."""
    if contradiction.late:
        return _store_as_history(contradiction) + cut_statements(
            contradiction.chain, contradiction.now, contradiction.memory.text, spans)
    return _supersede_stored(contradiction, events)


def _supersede_stored(contradiction: Contradiction, events: Sequence[dict[str, Any]]) -> list[Statement]:
    # Not late: `now` is at or after the memory's start and its last UPDATE, so ending it then dates
    # neither its end nor the record before anything the memory holds.
    row, now = contradiction.stored, contradiction.now
    seq = sum(1 for e in events if e["memory_id"] == row["id"])
    event = event_row(row["id"], "DELETE", row["text"], contradiction.memory.text, now, seq)
    return _ending(row["id"], now, now, event)


def _store_as_history(contradiction: Contradiction) -> list[Statement]:
    memory, end = contradiction.memory, contradiction.ends_at
    event = event_row(memory.id, "DELETE", memory.text, contradiction.ended_by, end, 1)
    # (history lists events by time, then seq: this DELETE at its end follows the ADD said earlier)
    return _ending(memory.id, end, end, event)


def _ending(memory_id: str, invalid_at: str, updated_at: str, event: dict[str, Any]) -> list[Statement]:
    return [Statement("memory/invalidate", {"id": memory_id, "invalid_at": invalid_at, "updated_at": updated_at}),
            Statement("event/create", {"rows": [event]}),
            Statement("event/link", {"rows": [{"id": event["id"], "memory_id": memory_id}]})]


def relations_ending(rows: Sequence[dict[str, Any]], now: str) -> list[str]:
    """Ids of the superseded memories' relations (`{id, valid_at}`) that a fact said at `now` ends."""
    return [r["id"] for r in rows if supersedes(now, r.get("valid_at"))]


def end_history_relations(relations: Sequence[dict[str, Any]], contradictions: Sequence[Contradiction],
                          memories: Sequence[NewMemory], entities: EntityTable) -> None:
    """End the new relations drawn from a memory stored as history with it (in place, before they are
    written), or at their own start when they begin later. A relation of no memory is a history fact's
    that names both its ends, if one does, else the first such fact's; one no fact names both ends of
    ends with the earliest history end when every fact of the add is history (`memories`: the add's, in
    order). See the module's docstring."""
    ends = {c.memory.id: c.ends_at for c in contradictions if c.late}
    if not ends:
        return
    all_history = all(m.id in ends for m in memories)
    for row in relations:
        owner = row.get("memory_id") or _naming_both_ends(row, memories, entities, ends)
        end = ends.get(owner or "")
        if end is None and owner is None and all_history:
            end = earliest(*ends.values())
        if end is not None:
            row["memory_id"], row["invalid_at"] = owner, latest(end, row["valid_at"])


def _naming_both_ends(relation: dict[str, Any], memories: Sequence[NewMemory], entities: EntityTable,
                      history: dict[str, str]) -> str | None:
    ends = {relation["source_id"], relation["target_id"]}
    naming = [m.id for m in memories if ends <= set(entities.ids_of(m))]
    return next((i for i in naming if i in history), naming[0] if naming else None)
