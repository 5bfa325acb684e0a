"""The exact in-context vector ranking on whole matrices (inprocess/in_context.py) against a reading of its
rule written out row by row, across parts, contexts, removals and re-adds."""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from graphmem.inprocess.scopes import ScopeMemories
from graphmem.inprocess.vectors import VectorRow

DIMS = 8


def _unit(rng: random.Random) -> list[float]:
    v = np.array([rng.gauss(0, 1) for _ in range(DIMS)])
    return list(v / np.linalg.norm(v))


def _memory(rng: random.Random, memory_id: str) -> VectorRow:
    parts = [_unit(rng) for _ in range(rng.choice([0, 0, 1, 2, 3]))]
    context = _unit(rng) if rng.random() < 0.7 else None
    return VectorRow(id=memory_id, owner=("u", None, None), embedding=_unit(rng), parts=parts, context=context,
                     record={"id": memory_id, "text": memory_id})


def _by_rule(rows: dict[str, VectorRow], query: list[float], k: int, weight: float) -> list[tuple[str, float]]:
    """own = the best of a memory's vector and its sentences'; context = its context vector's, else own; the best
    2k by each are candidates, ranked by (own + weight × context) / (1 + weight)."""
    q = np.array(query)
    own = {m: max([float(np.dot(r.embedding, q)), *(float(np.dot(p, q)) for p in r.parts)])
           for m, r in rows.items() if r.embedding is not None}
    context = {m: float(np.dot(rows[m].context, q)) if rows[m].context else own[m] for m in own}
    candidates = set(sorted(own, key=lambda m: -own[m])[:2 * k]) | set(sorted(own, key=lambda m: -context[m])[:2 * k])
    rank = {m: (own[m] + weight * context[m]) / (1 + weight) for m in candidates}
    return [(m, rank[m]) for m in sorted(candidates, key=lambda m: -rank[m])[:k]]


def _ranked(memories: ScopeMemories, query: list[float], k: int, weight: float) -> list[tuple[str, float]]:
    return [(r["id"], r["rank"]) for r in memories.top_in_context(query, k, weight)]


def test_the_matrix_ranking_follows_the_rule_through_removals_and_re_adds() -> None:
    rng = random.Random(7)
    rows = {f"m{i}": _memory(rng, f"m{i}") for i in range(60)}
    memories = ScopeMemories(DIMS, rows.values())
    for round_ in range(6):
        for _ in range(5):
            query = _unit(rng)
            for k in (1, 5, 20):
                got, expected = _ranked(memories, query, k, 1.0), _by_rule(rows, query, k, 1.0)
                assert [m for m, _ in got] == [m for m, _ in expected]
                assert np.allclose([r for _, r in got], [r for _, r in expected], atol=1e-5)  # float32 matrices
        gone = rng.sample(sorted(rows), 8)
        memories.remove(gone)
        for memory_id in gone[:4]:  # re-added with new vectors: new positions, new sentences, maybe no context
            rows[memory_id] = _memory(rng, memory_id)
        for memory_id in gone[4:]:
            del rows[memory_id]
        fresh = {f"n{round_}-{i}": _memory(rng, f"n{round_}-{i}") for i in range(3)}
        rows.update(fresh)
        memories.extend([rows[m] for m in gone[:4]] + list(fresh.values()))


def test_the_reported_similarity_is_the_memory_s_own_best_not_its_context() -> None:
    reply = VectorRow(id="reply", owner=("u", None, None), embedding=[0.0, 1.0], parts=[[0.6, 0.8]],
                      context=[1.0, 0.0], record={"id": "reply", "text": "reply"})
    memories = ScopeMemories(2, [reply, dataclasses.replace(reply, id="other", context=None, parts=[])])
    [first, second] = memories.top_in_context([1.0, 0.0], 2, 1.0)
    assert (first["id"], round(first["similarity"], 3), round(first["rank"], 3)) == ("reply", 0.6, 0.8)
    assert (second["id"], round(second["similarity"], 3)) == ("other", 0.0)
