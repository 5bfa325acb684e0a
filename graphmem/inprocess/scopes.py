"""What a loaded scope holds in RAM (the cache of loaded scopes is in cache.py).

Memories: vectors, BM25 postings, and the lookup lists a search walks (episodes a memory came
from, entities it mentions, memories of an episode). Entities (vectors and names) are in entities.py.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.ann_files import IndexFile
from graphmem.inprocess.in_context import Owners, top_by_context
from graphmem.inprocess.keywords import KeywordIndex
from graphmem.inprocess.loaded_rows import CONTEXT, EMBEDDING, PARTS, LoadedRows
from graphmem.inprocess.similarity import part_id, present, ranked_in_context, row_of_part
from graphmem.inprocess.vectors import ANN_MIN_ROWS, Owner, ScopeVectors, VectorRow
from graphmem.pacing import paced, slices

ROWS_PER_STEP = 256  # rows a loaded scope takes in at a time (see ScopeMemories.extend)
SavedOf = Callable[[str], IndexFile]  # a scope's saved index of one kind of vector ("memory", "parts", "entity")
# What entity/by_names returns; loaded entity scopes hold it so that an add resolves its entities in RAM.
ENTITY_COLUMNS = ("id", "name", "name_norm", "type", "aliases", "mentions")


def _has_context(row: VectorRow, dims: int) -> bool:
    """Whether the row has a context vector the scope can hold. One of another length (a store edited by hand, or
    written with another embedder) is left out as if absent: in the matrix it failed the whole scope's load."""
    context = present(row.context)
    return context is not None and len(context) == dims


def without_vectors(row: VectorRow) -> VectorRow:
    """The row without its vectors (a loaded scope's matrices hold them). By its constructor, not
    dataclasses.replace: ~1 µs a row, not ~3 (0.2 s of a 100k scope's load)."""
    return VectorRow(row.id, row.owner, None, row.name, row.names, row.record)


class LoadedScope(Protocol):
    def __len__(self) -> int: ...

    def __contains__(self, row_id: object) -> bool:
        """Whether the scope holds the row (with a vector or without)."""
        ...

    @property
    def held_vectors(self) -> int:
        """The vectors held in RAM, what the cache's budget counts."""
        ...

    @property
    def scanned_rows(self) -> int:
        """The rows a vector search scores one by one (not through an approximate index): what it costs."""
        ...

    def extend(self, rows: Iterable[VectorRow]) -> None: ...

    def remove(self, ids: Iterable[str]) -> None: ...

    def top(self, vector: Sequence[float], k: int, approximate: bool = False) -> list[dict[str, Any]]: ...

    def close(self) -> None:
        """The store closes: approximate indexes stop building, and are saved where the store saves them."""

    def drop(self) -> None:
        """Dropped from the cache: approximate indexes stop building and are never saved."""


class ScopeMemories:
    """The valid memories of one scope: vector and keyword search, and their lookup lists."""

    def __init__(self, dims: int, rows: Iterable[VectorRow] | LoadedRows = (), saved: SavedOf | None = None) -> None:
        self._saved = saved
        self._loading = True  # until the rows given are in: the matrices index nothing before (settle)
        self._vectors = ScopeVectors(dims, saved=self._saved_of("memory"))
        self._dims = dims
        # The memories' sentences (ingest/parts.py), "<memory id>#<i>", held by the map of their memories'
        # positions (in_context.py): made on the first sentence.
        self._part_owners: Owners | None = None
        self._part_ids: dict[str, list[str]] = {}
        # The memories' messages read with the messages before them (ingest/context.py), by memory id; never
        # indexed approximately: past ANN_MIN_ROWS only the other vectors' candidates are re-scored with them.
        self._context_owners: Owners | None = None
        self._keywords = KeywordIndex()
        self._rows: dict[str, VectorRow] = {}
        self._by_episode: dict[str, list[str]] = {}
        self._by_entity: dict[str, list[str]] = {}
        self._by_time: list[tuple[str, str]] = []  # (valid_at, id), sorted: a time window is two bisections
        self._by_hash: dict[str, list[str]] = {}  # an add's de-duplication of texts said again
        if isinstance(rows, LoadedRows):
            self._take(rows)
        else:
            self.extend(rows)
        self._settle()

    def close(self) -> None:
        for matrix in (self._vectors, self._parts):
            if matrix is not None:
                matrix.close()

    def drop(self) -> None:
        for matrix in (self._vectors, self._parts, self._contexts):
            if matrix is not None:
                matrix.drop()

    def _saved_of(self, kind: str) -> IndexFile | None:
        return None if self._saved is None else self._saved(kind)

    def _settle(self) -> None:
        """The scope is loaded: each matrix takes its saved index if it fits (moving its rows to the saved
        order), so the maps between the matrices' positions are made again."""
        self._loading = False
        self._vectors.settle()
        for owners in (self._part_owners, self._context_owners):
            if owners is not None:
                owners.child.settle()
                owners.reset()

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._rows

    def extend(self, rows: Iterable[VectorRow]) -> None:
        batch = [r for r in rows if r.id not in self._rows]
        self._reserve(len(batch), sum(1 for r in batch if _has_context(r, self._dims)))
        # All at once: the index paces itself, and does its work per word once per distinct word.
        self._keywords.add((r.id, r.text) for r in batch)
        # In steps: a message that became thousands of memories made one 100 ms numpy conversion of all
        # their vectors, which holds the GIL (another scope's get_all waited for it).
        for step in paced(slices(batch, ROWS_PER_STEP)):
            self._extend_step(step)

    def _reserve(self, rows: int, contexts: int) -> None:
        """Room for `rows` more memories and `contexts` more context vectors in their matrices, made once (a 100k
        load grew each of them eleven times: ~0.2 s of copies a matrix)."""
        self._vectors.reserve(rows)
        if contexts:
            self._context_matrix().reserve(contexts)

    def _context_matrix(self) -> ScopeVectors:
        if self._context_owners is None:  # made on the first context: scopes written with infer=True have none
            self._context_owners = Owners(ScopeVectors(self._dims, ann_min_rows=2**62), self._vectors, str)
        return self._context_owners.child

    def _extend_step(self, batch: Sequence[VectorRow]) -> None:
        self._vectors.extend(batch)
        self._extend_parts(batch)
        self._extend_contexts(batch)
        for row in batch:
            # The vectors now live in the matrices: the row keeps none (a list of 384 floats per memory was
            # ~12 KB of RAM and one more object for every full garbage collection to walk).
            self._rows[row.id] = without_vectors(row) if present(row.embedding) is not None else row
        self._look_up(batch)
        said = sorted((at, r.id) for r in batch if (at := r.valid_at))
        if said and self._by_time and said[0] < self._by_time[-1]:
            # Older than the newest held: an import, a replay; or said at the same time, with a smaller id (a load
            # of rows added together). Only the held ones after the first new one are sorted again.
            after = bisect.bisect_left(self._by_time, said[0])
            self._by_time[after:] = sorted(self._by_time[after:] + said)
        else:
            self._by_time += said  # the usual add: newer than everything held

    def _look_up(self, batch: Sequence[VectorRow]) -> None:
        """The rows in the lists that find them by episode, entity and text hash."""
        by_episode, by_entity, by_hash = self._by_episode, self._by_entity, self._by_hash
        for row in batch:  # from the record, as VectorRow's properties read it (~1 µs a row less: a 100k load)
            row_id, record = row.id, row.record or {}
            for episode in record.get("episode_ids") or ():
                by_episode.setdefault(episode, []).append(row_id)
            if entities := record.get("entity_ids"):
                for entity in dict.fromkeys(entities):
                    by_entity.setdefault(entity, []).append(row_id)
            if text_hash := str(record.get("hash") or ""):
                by_hash.setdefault(text_hash, []).append(row_id)

    def _take(self, loaded: LoadedRows) -> None:
        """A load's rows by column (loaded_rows.py) into this scope, still empty: what `extend` makes of the same
        rows, with their vectors gathered into each step's matrices, not stacked from a list a row."""
        held = loaded.held
        contexts = int(loaded.counts[:, CONTEXT].sum())
        self._reserve(len(held), contexts)
        self._keywords.add((r.id, r.text) for r in held)
        for start in paced(range(0, len(held), ROWS_PER_STEP)):  # steps as `extend`'s: the same matrices' sizes
            end = min(start + ROWS_PER_STEP, len(held))
            ids = [r.id for r in held[start:end]]
            self._vectors.extend_matrix(ids, loaded.vectors(EMBEDDING, start, end))
            parts = loaded.counts[start:end, PARTS].tolist()
            if any(parts):
                self._add_parts([part_id(i, k) for i, n in zip(ids, parts, strict=True) for k in range(n)],
                                loaded.vectors(PARTS, start, end))
            if contexts:
                with_context = loaded.counts[start:end, CONTEXT].tolist()
                self._context_matrix().extend_matrix([i for i, n in zip(ids, with_context, strict=True) if n],
                                                     loaded.vectors(CONTEXT, start, end))
            self._rows.update(zip(ids, held[start:end], strict=True))
            self._look_up(held[start:end])
        self._by_time = sorted((at, r.id) for r in held if (at := r.valid_at))  # what the steps' merges make

    def remove(self, ids: Iterable[str]) -> None:
        gone = [self._rows.pop(i) for i in ids if i in self._rows]
        for entry in sorted(((said, r.id) for r in gone if (said := r.valid_at)), reverse=True):
            place = bisect.bisect_left(self._by_time, entry)
            if place < len(self._by_time) and self._by_time[place] == entry:
                del self._by_time[place]
        self._vectors.remove(r.id for r in gone)
        if self._parts is not None:
            self._parts.remove(p for r in gone for p in self._part_ids.pop(r.id, ()))
        if self._contexts is not None:
            self._contexts.remove(r.id for r in gone)
        self._keywords.remove(r.id for r in gone)
        for row in gone:
            for lists, keys in ((self._by_episode, row.episode_ids), (self._by_entity, row.entity_ids),
                                (self._by_hash, [row.hash])):
                for key in keys:
                    held = lists.get(key, [])
                    if row.id in held:
                        held.remove(row.id)

    def _extend_parts(self, batch: Sequence[VectorRow]) -> None:
        parts = [VectorRow(id=part_id(r.id, i), owner=r.owner, embedding=p)
                 for r in batch for i, p in enumerate(r.parts)]
        if not parts:
            return
        self._part_matrix().extend(parts)
        self._map_parts(p.id for p in parts)
        if self._part_owners is not None and not self._loading:  # a load maps every position once, when settled
            self._part_owners.positions()  # (the rows may move then); it grows here, on the writer's thread

    def _add_parts(self, ids: list[str], matrix: NDArray[np.float32]) -> None:
        """A load's step of sentence vectors (`_take`)."""
        self._part_matrix().extend_matrix(ids, matrix)
        self._map_parts(ids)

    def _part_matrix(self) -> ScopeVectors:
        if self._part_owners is None:  # made on the first part: most scopes of a Bolt-free server may have none
            self._part_owners = Owners(ScopeVectors(self._dims, saved=self._saved_of("parts")), self._vectors,
                                       row_of_part)
            if not self._loading:
                self._part_owners.child.settle()
        return self._part_owners.child

    def _map_parts(self, ids: Iterable[str]) -> None:
        for part in ids:
            self._part_ids.setdefault(row_of_part(part), []).append(part)

    def _extend_contexts(self, batch: Sequence[VectorRow]) -> None:
        contexts = [r for r in batch if _has_context(r, self._dims)]
        if not contexts:
            return
        matrix = self._context_matrix()
        fresh = [r for r in contexts if r.id not in matrix]
        matrix.extend_columns([r.id for r in fresh], [r.context for r in fresh], [None] * len(fresh))
        if self._context_owners is not None and not self._loading:  # as for sentences
            self._context_owners.positions()

    def top(self, vector: Sequence[float], k: int, approximate: bool = False) -> list[dict[str, Any]]:
        """The k memories most similar to the vector, each by the best of its own and its sentences'
        similarity (a sentence may match a question that the whole message dilutes); `approximate`: a big
        scope's indexes are walked shorter."""
        best = {row["id"]: row for row in self._vectors.top(vector, k, approximate)}
        for part in self._parts.top(vector, 2 * k, approximate) if self._parts is not None else ():
            memory_id = row_of_part(part["id"])
            held = best.get(memory_id)
            if held is None or part["similarity"] > held["similarity"]:
                best[memory_id] = {"id": memory_id, "similarity": part["similarity"]}
        return sorted(best.values(), key=lambda row: -row["similarity"])[:k]

    def top_in_context(self, vector: Sequence[float], k: int, weight: float,
                       approximate: bool = False) -> list[dict[str, Any]]:
        """`top`, ranked by each memory's similarity plus `weight` times its context's (its message read with
        the ones before it; a memory without one stands for its own context), that sum over 1 + weight as
        `rank`. `similarity` stays the memory's own: what a score is calibrated on. Candidates are the best
        2k by either vector; past ANN_MIN_ROWS memories the best k by their own, and past ANN_MIN_ROWS contexts
        none by the contexts (an exact scan of them would cost ~7 ms at 100k rows)."""
        if weight <= 0 or self._context_owners is None:
            return self.top(vector, k, approximate)
        if len(self) < ANN_MIN_ROWS:  # exact, on whole matrices (in_context.py)
            return top_by_context(self._vectors, self._part_owners, self._context_owners, vector, k, weight)
        # An approximate index answers for a big scope: asking it for 2k would double its work (ef grows with k).
        own = {row["id"]: row["similarity"] for row in self.top(vector, k, approximate)}
        contexts = self._context_owners.child
        if len(contexts) < ANN_MIN_ROWS:
            missing = [row["id"] for row in contexts.top(vector, 2 * k) if row["id"] not in own]
            own.update(self._own_similarities(missing, vector))
        context = contexts.similarities(own, vector)
        rank = ranked_in_context(own, context, weight)
        ranked = sorted(own, key=lambda mid: -rank[mid])
        return [{"id": mid, "similarity": own[mid], "rank": rank[mid]} for mid in ranked[:k]]

    def _own_similarities(self, ids: Sequence[str], vector: Sequence[float]) -> dict[str, float]:
        """Each memory's similarity as `top` scores it: the best of its own and its sentences'."""
        found = self._vectors.similarities(ids, vector)
        parts = [p for mid in ids for p in self._part_ids.get(mid, ())]
        if self._parts is not None and parts:
            for part, score in self._parts.similarities(parts, vector).items():
                memory_id = row_of_part(part)
                found[memory_id] = max(score, found.get(memory_id, score))
        return found

    @property
    def _parts(self) -> ScopeVectors | None:
        return None if self._part_owners is None else self._part_owners.child

    @property
    def _contexts(self) -> ScopeVectors | None:
        return None if self._context_owners is None else self._context_owners.child

    @property
    def scanned_rows(self) -> int:
        """Every memory under ANN_MIN_ROWS (whole matrices, top_by_context), else the rows of its own and its
        sentences' vectors that their approximate indexes do not hold yet (contexts are only re-scored)."""
        if len(self) < ANN_MIN_ROWS:
            return len(self)
        return max(vectors.scanned_rows for vectors in (self._vectors, self._parts) if vectors is not None)

    @property
    def held_vectors(self) -> int:
        """The vectors this scope holds in RAM: its memories', their sentences' and their contexts'."""
        return (len(self._rows) + (len(self._parts) if self._parts is not None else 0)
                + (len(self._contexts) if self._contexts is not None else 0))

    def keyword_top(self, query: str, k: int) -> list[dict[str, Any]]:
        return self._keywords.top(query, k)

    def keyword_coverage(self, query: str) -> float:
        return self._keywords.coverage(query)

    def briefs(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """`{id, text, actor_id, episode_ids, entity_ids, valid_at}` of the held memories among `ids`."""
        return [{"id": r.id, "text": r.text, "actor_id": (r.record or {}).get("actor_id"),
                 "episode_ids": list(r.episode_ids), "entity_ids": list(r.entity_ids), "valid_at": r.valid_at or None}
                for r in (self._rows.get(i) for i in ids) if r is not None]

    def mentioning(self, entity_ids: Iterable[str], max_degree: int,
                   per_entity: int | None = None) -> list[dict[str, Any]]:
        """`{entity_id, memory_id, degree}`: memories mentioning each entity (at most `per_entity` of each, the
        first said), unless more than `max_degree` do (a hub, e.g. the user, says nothing about which memories
        matter)."""
        rows = []
        for entity in entity_ids:
            memories = self._by_entity.get(entity, ())
            if len(memories) <= max_degree:
                rows += [{"entity_id": entity, "memory_id": m, "degree": len(memories)}
                         for m in memories[:per_entity]]
        return rows

    def with_hashes(self, hashes: Iterable[str], owner: Owner) -> list[dict[str, Any]]:
        """`{hash, id}` of the held memories with these text hashes whose ids are exactly `owner`'s."""
        return [{"hash": h, "id": i} for h in dict.fromkeys(hashes) for i in self._by_hash.get(h, ())
                if self._rows[i].owner == owner]

    def retouch(self, columns: Mapping[str, Any]) -> None:
        """New values of columns of a held memory's row that no search index reads (`{id, metadata, ...}`)."""
        row = self._rows.get(columns["id"])
        if row is not None and row.record is not None:
            self._rows[row.id] = dataclasses.replace(row, record={**row.record, **columns})

    def record(self, memory_id: str) -> dict[str, Any] | None:
        row = self._rows.get(memory_id)
        return dict(row.record) if row is not None and row.record is not None else None

    def between(self, start: str | None, end: str | None, k: int) -> list[dict[str, Any]]:
        """`{id, valid_at}` of the held memories whose message time is in [start, end), latest first."""
        low = bisect.bisect_left(self._by_time, (start,)) if start is not None else 0
        high = bisect.bisect_left(self._by_time, (end,)) if end is not None else len(self._by_time)
        return [{"id": memory_id, "valid_at": at} for at, memory_id in reversed(self._by_time[max(low, high - k):high])]

    def of_episodes(self, episode_ids: Iterable[str]) -> list[dict[str, Any]]:
        """`{episode_id, memory_id}` for the held memories that came from these episodes."""
        return [{"episode_id": e, "memory_id": m} for e in episode_ids for m in self._by_episode.get(e, ())]
