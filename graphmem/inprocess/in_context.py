"""A small scope's vector ranking in context, in one pass of array arithmetic.

`ScopeMemories.top_in_context` ranks a memory by the best of its own and its sentences' similarity (`own`)
plus a weight times its context vector's (ingest/context.py). Merging three top-k lists of row dicts by id
cost ~1.4 ms a search on a 663-message conversation, three quarters of it Python; here the three matrices
are scored whole and a memory's sentences and context are found by position (`Owners`), ~0.3 ms. Past
ANN_MIN_ROWS memories the approximate index answers instead (scopes.py), so this is the exact path only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.vectors import ScopeVectors, unit_rows


class Owners:
    """For each position of `child` (a memory's sentences, or its context), the position of its memory in
    `parent`. Positions only grow, so the map is extended as rows are added: a removed row keeps a stale entry,
    read never, since its position is dead in the child too. It is made again (`reset`) only once a load settles,
    when a saved index may have moved the rows of either matrix."""

    def __init__(self, child: ScopeVectors, parent: ScopeVectors, memory_of: Callable[[str], str]) -> None:
        self.child, self._parent, self._memory_of = child, parent, memory_of
        self._positions: NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    def reset(self) -> None:
        """Map every position again: the child's or the parent's rows moved (ScopeVectors.settle)."""
        self._positions = np.zeros(0, dtype=np.int64)
        self.positions()

    def positions(self) -> NDArray[np.int64]:
        new = self.child.ids_from(len(self._positions))
        if new:
            found = [self._parent.position(self._memory_of(row_id)) for row_id in new]
            self._positions = np.concatenate([self._positions,
                                              np.asarray([-1 if p is None else p for p in found], dtype=np.int64)])
        return self._positions


def top_by_context(memories: ScopeVectors, parts: Owners | None, contexts: Owners, vector: Sequence[float], k: int,
                   weight: float) -> list[dict[str, Any]]:
    """The k best memories by (own + weight × context) / (1 + weight), as `{id, similarity, rank}`; a memory
    without a context stands for its own. Candidates are the best 2k by own similarity and the best 2k by
    context, as in `top_in_context`'s docstring."""
    query = unit_rows(np.asarray([vector], dtype=np.float32))[0]
    own = memories.all_scores(query)
    if parts is not None:
        _lift(own, parts, query)
    context = own.copy()
    _lift(context, contexts, query, replace=True)
    live = np.flatnonzero(np.isfinite(own))
    if not len(live):
        return []
    width = min(2 * k, len(live))
    by_own = live[np.argpartition(-own[live], width - 1)[:width]]
    by_context = live[np.argpartition(-context[live], width - 1)[:width]]
    candidates = np.unique(np.concatenate([by_own, by_context]))  # in position order: ties keep it
    rank = (own[candidates] + weight * context[candidates]) / (1 + weight)
    best = candidates[np.argsort(-rank, kind="stable")[:k]]
    ranks = dict(zip(candidates.tolist(), rank.tolist(), strict=True))
    return [{"id": memories.id_at(int(p)), "similarity": float(own[p]), "rank": ranks[int(p)]} for p in best]


def _lift(scores: NDArray[np.float32], owners: Owners, query: NDArray[np.float32], replace: bool = False) -> None:
    """Fold the child rows' scores into their memories' (in place): their maximum with the memory's own, or,
    `replace`, in place of it (a context is the memory's, not one more reading of it)."""
    child_scores = owners.child.all_scores(query)
    positions = owners.positions()[: len(child_scores)]
    alive = np.flatnonzero(np.isfinite(child_scores) & (positions >= 0))
    if not len(alive):
        return
    if replace:
        scores[positions[alive]] = child_scores[alive]
    else:
        np.maximum.at(scores, positions[alive], child_scores[alive])
