"""A loaded scope of entities (memories are in scopes.py, the cache of loaded scopes in cache.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from graphmem.inprocess.ann_files import IndexFile
from graphmem.inprocess.vectors import Owner, ScopeVectors, VectorRow


class ScopeEntities(ScopeVectors):
    """One scope's entities: vectors, their normalised names and aliases for linking a query or an add's
    entities, and the columns an add's entity resolution reads (`ENTITY_COLUMNS`)."""

    def __init__(self, dims: int, rows: Iterable[VectorRow] = (), saved: IndexFile | None = None) -> None:
        self._named: dict[str, set[str]] = {}  # normalised name or alias -> entity ids
        self._names_of: dict[str, set[str]] = {}
        self._records: dict[str, tuple[Owner, dict[str, Any]]] = {}
        # Each entity's place in the order loaded and added (the store's scan order), which by_names keeps: the
        # matrix's positions are not it once a saved index moved the rows (ScopeVectors.settle).
        self._arrival: dict[str, int] = {}
        self._arrivals = itertools.count()
        super().__init__(dims, rows, saved=saved)
        self.settle()

    def extend(self, rows: Iterable[VectorRow]) -> None:
        batch = [r for r in rows if r.id not in self]
        super().extend(batch)
        for row in batch:
            self._arrival[row.id] = next(self._arrivals)
            self.rename(row.id, row.names)
            if row.record is not None:
                self._records[row.id] = (row.owner, dict(row.record))

    def rename(self, entity_id: str, names: Iterable[str]) -> None:
        """Link the entity by these names (and those it had)."""
        known = self._names_of.setdefault(entity_id, set())
        for name in set(names) - known:
            known.add(name)
            self._named.setdefault(name, set()).add(entity_id)

    def set_aliases(self, entity_id: str, aliases: Sequence[str]) -> None:
        """The entity's aliases are now these (entity/set_aliases lists them all)."""
        self.rename(entity_id, aliases)
        if entity_id in self._records:
            self._records[entity_id][1]["aliases"] = list(aliases)

    def mentioned(self, entity_id: str, count: int) -> None:
        """`count` more memories mention the entity (entity/add_mentions)."""
        if entity_id in self._records:
            record = self._records[entity_id][1]
            record["mentions"] = (record.get("mentions") or 0) + count

    def remove(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        super().remove(ids)
        for entity_id in ids:
            self._records.pop(entity_id, None)
            self._arrival.pop(entity_id, None)
            for name in self._names_of.pop(entity_id, ()):
                self._named.get(name, set()).discard(entity_id)

    def named(self, names: Iterable[str]) -> list[dict[str, Any]]:
        """`{id}` of the entities called (or aliased) by one of these normalised names."""
        found = {entity_id for name in names for entity_id in self._named.get(name, ())}
        return [{"id": entity_id} for entity_id in sorted(found)]

    def by_names(self, names: Iterable[str], owner: Owner) -> list[dict[str, Any]] | None:
        """The `ENTITY_COLUMNS` of the entities of exactly `owner` called (or aliased) by one of these
        normalised names; None when a match was loaded without them (the caller asks the store)."""
        # Oldest first, as the store's scan returns them: resolution takes the first entity a name matches.
        found = sorted({entity_id for name in names for entity_id in self._named.get(name, ())},
                       key=self._arrival.__getitem__)
        rows = []
        for entity_id in found:
            held = self._records.get(entity_id)
            if held is None:
                return None
            if held[0] == owner:
                rows.append(dict(held[1]))
        return rows
