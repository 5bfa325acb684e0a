"""The in-process exact vector search of embedded stores."""

from __future__ import annotations

import numpy as np
import pytest

from graphmem.inprocess.vectors import ScopeVectors, VectorRow, dot_rows, owns
from graphmem.scope import Scope


def row(row_id: str, embedding: list[float], user: str | None = "u", run: str | None = None) -> VectorRow:
    return VectorRow(id=row_id, owner=(user, None, run), embedding=embedding)


def test_top_ranks_by_cosine_and_skips_removed_rows() -> None:
    vectors = ScopeVectors(2, [row("a", [1, 0]), row("b", [1, 1]), row("c", [0, 3])])
    assert [r["id"] for r in vectors.top([1, 0.1], 3)] == ["a", "b", "c"]
    assert vectors.top([0, 1], 1)[0] == {"id": "c", "similarity": pytest.approx(1.0)}
    vectors.remove(["c", "missing"])
    assert [r["id"] for r in vectors.top([0, 1], 5)] == ["b", "a"]
    assert len(vectors) == 2


def test_growing_past_capacity_keeps_every_row() -> None:
    vectors = ScopeVectors(3)
    for i in range(200):
        vectors.extend([row(f"r{i}", [1.0, float(i), 0.0])])
    vectors.extend([row("r5", [0.0, 0.0, 1.0])])  # an id already held is not added twice
    assert len(vectors) == 200
    assert vectors.top([0.0, 1.0, 0.0], 1)[0]["id"] == "r199"


def test_zero_vectors_and_empty_scopes_do_not_fail() -> None:
    assert ScopeVectors(2).top([1, 0], 5) == []
    vectors = ScopeVectors(2, [row("z", [0, 0])])
    assert vectors.top([0, 0], 1) == [{"id": "z", "similarity": 0.0}]
    assert vectors.top([1, 0], 0) == []


def test_entity_rows_carry_their_name() -> None:
    vectors = ScopeVectors(2, [VectorRow(id="e", owner=("u", None, None), embedding=[1, 0], name="Bob")])
    assert vectors.top([1, 0], 1)[0]["name"] == "Bob"


def test_owns_requires_every_named_id() -> None:
    assert owns(Scope.of("u", None, None), ("u", "a", "r"))
    assert owns(Scope.of("u", None, "r"), ("u", None, "r"))
    assert not owns(Scope.of("u", None, "r"), ("u", None, "other"))
    assert not owns(Scope.of("u", None, None), ("v", None, None))


def test_best_cosines_score_a_row_by_its_best_sentence_too() -> None:
    from graphmem.inprocess.similarity import best_cosines, split_parts

    rows = [{"id": "a", "embedding": [1.0, 0.0], "parts": [0.0, 1.0, 0.6, 0.8]},  # two sentences, flat
            {"id": "b", "embedding": [0.6, 0.8], "parts": None},
            {"id": "c", "embedding": None}]
    assert split_parts(rows[0]["parts"], rows[0]["embedding"]) == [[0.0, 1.0], [0.6, 0.8]]  # type: ignore[arg-type]
    found = best_cosines([0.0, 1.0], rows)
    assert set(found) == {"a", "b"}
    assert abs(found["a"] - 1.0) < 1e-6 and abs(found["b"] - 0.8) < 1e-6


def test_dot_rows_is_the_matrix_product_on_one_thread() -> None:
    """dot_rows replaces `matrix @ query` on the read path (BLAS would split it over every core): same
    numbers, float32, for an empty matrix too."""
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((1_200, 384)).astype(np.float32)
    query = rng.standard_normal(384).astype(np.float32)
    scores = dot_rows(matrix, query)
    assert scores.dtype == np.float32
    assert np.allclose(scores, matrix @ query, rtol=1e-5, atol=1e-4)
    assert dot_rows(matrix[:0], query).shape == (0,)
