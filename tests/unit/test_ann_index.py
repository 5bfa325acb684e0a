"""The approximate index of large scopes: it agrees with the exact scan and follows adds and removes."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

from graphmem.inprocess import ann
from graphmem.inprocess.vectors import ScopeVectors, VectorRow

DIMS = 32
OWNER = ("u", None, None)


def clustered(count: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 centres: embeddings of real texts cluster by topic."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, DIMS))
    points = centres[rng.integers(0, 40, count)] + 0.4 * rng.standard_normal((count, DIMS))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def rows(vectors: np.ndarray, prefix: str = "m") -> list[VectorRow]:
    return [VectorRow(f"{prefix}{i}", OWNER, v.tolist()) for i, v in enumerate(vectors)]


@pytest.fixture(scope="module")
def indexed() -> tuple[ScopeVectors, np.ndarray]:
    vectors = ScopeVectors(DIMS, rows(clustered(3000, 1)), ann_min_rows=1000)
    assert vectors.wait_for_index(timeout=120)
    return vectors, clustered(60, 2)


def ids(found: list[dict[str, object]]) -> list[object]:
    return [row["id"] for row in found]


def test_index_agrees_with_the_exact_scan(indexed: tuple[ScopeVectors, np.ndarray]) -> None:
    vectors, queries = indexed
    found = [(vectors.top(q.tolist(), 20), vectors.exact_top(q.tolist(), 20)) for q in queries]
    recall = np.mean([len(set(ids(a)) & set(ids(e))) / 20 for a, e in found])
    assert recall >= 0.97
    for approximate, exact in found:  # scores come from the matrix, not the index
        scores = {row["id"]: row["similarity"] for row in exact}
        assert all(row["similarity"] == pytest.approx(scores[row["id"]]) for row in approximate if row["id"] in scores)
        assert [row["similarity"] for row in approximate] == sorted((r["similarity"] for r in approximate),
                                                                    reverse=True)


def test_a_secondary_ranking_walks_the_index_shorter(indexed: tuple[ScopeVectors, np.ndarray]) -> None:
    """`approximate` (a list question's head phrase): a shorter walk of the same index, still close to exact."""
    vectors, queries = indexed
    index = vectors._ann._index  # type: ignore[union-attr]  # the walk's length has no other surface
    found = []
    for q in queries:
        found.append((vectors.top(q.tolist(), 20, approximate=True), vectors.exact_top(q.tolist(), 20)))
        assert index.ef == ann.SHORT_EF
        vectors.top(q.tolist(), 20)
        assert index.ef == ann.MAX_EF
    assert np.mean([len(set(ids(a)) & set(ids(e))) / 20 for a, e in found]) >= 0.95


def test_rows_added_after_the_index_are_found_at_once() -> None:
    vectors = ScopeVectors(DIMS, rows(clustered(1200, 3)), ann_min_rows=1000)
    vectors.wait_for_index(timeout=120)
    probe = clustered(1, 4)[0]
    vectors.extend([VectorRow("new", OWNER, probe.tolist())])  # searched before the builder indexes it
    assert ids(vectors.top(probe.tolist(), 5))[0] == "new"
    vectors.wait_for_index(timeout=120)
    assert ids(vectors.top(probe.tolist(), 5))[0] == "new"


def test_removed_rows_are_never_returned() -> None:
    vectors = ScopeVectors(DIMS, rows(clustered(1500, 5)), ann_min_rows=1000)
    vectors.wait_for_index(timeout=120)
    query = clustered(1, 6)[0].tolist()
    first = ids(vectors.top(query, 10))
    vectors.remove(first[:5])
    after = ids(vectors.top(query, 10))
    assert not set(first[:5]) & set(after)
    assert after[:5] == first[5:10]
    assert after == ids(vectors.exact_top(query, 10))


def test_rows_without_embedding_are_not_hits() -> None:
    vectors = ScopeVectors(DIMS, [*rows(clustered(1100, 7)), VectorRow("blank", OWNER, None)], ann_min_rows=1000)
    vectors.wait_for_index(timeout=120)
    assert "blank" not in ids(vectors.top(clustered(1, 8)[0].tolist(), 1101))
    assert len(vectors.top(clustered(1, 8)[0].tolist(), 5000)) == 1100


def test_small_scopes_scan_exactly() -> None:
    vectors = ScopeVectors(DIMS, rows(clustered(200, 9)))
    assert not vectors.wait_for_index()
    query = clustered(1, 10)[0].tolist()
    assert vectors.top(query, 10) == vectors.exact_top(query, 10)


def test_a_process_that_exits_while_the_index_builds_exits_cleanly() -> None:
    # hnswlib's add_items still running in the builder when the interpreter tore down aborted the process
    # ("terminate called without an active exception", 4 of 4 runs of this child before the exit hook).
    code = (
        "import time\n"
        "import numpy as np\n"
        "from graphmem.inprocess.vectors import ScopeVectors, VectorRow\n"
        "rng = np.random.default_rng(1)\n"
        "rows = [VectorRow(id=str(i), owner=('u', None, None), embedding=list(map(float, rng.normal(size=384))))\n"
        "        for i in range(30000)]\n"
        "ScopeVectors(384, rows, ann_min_rows=100)\n"
        "time.sleep(0.3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_query_the_index_cannot_answer_is_scanned_exactly() -> None:
    vectors = ScopeVectors(DIMS, rows(clustered(1200, 12)), ann_min_rows=1000)
    vectors.wait_for_index(timeout=120)
    ann = vectors._ann
    assert ann is not None

    class Failing:  # hnswlib, when its walk finds fewer live labels than asked (many deleted, or rows being added)
        def set_ef(self, ef: int) -> None:
            pass

        def knn_query(self, vector: np.ndarray, k: int) -> None:
            raise RuntimeError("Cannot return the results in a contiguous 2D array. Probably ef or M is too small")

    ann._index = Failing()
    for query in clustered(5, 13):
        assert vectors.top(query.tolist(), 10) == vectors.exact_top(query.tolist(), 10)


def test_what_a_search_scores_one_by_one() -> None:
    """`scanned_rows` (what decides whether a vector lookup runs on the event loop): every row without an index,
    only the rows the index has not caught up on with one."""
    vectors = ScopeVectors(DIMS, rows(clustered(1200, 3)), ann_min_rows=1000)
    assert vectors.wait_for_index(timeout=120)
    assert vectors.scanned_rows == 0
    vectors.extend(rows(clustered(5, 4), prefix="new"))
    assert vectors.scanned_rows <= 5  # the builder may have indexed some of them already
    assert ScopeVectors(DIMS, rows(clustered(900, 5)), ann_min_rows=1000).scanned_rows == 900


def test_a_busy_index_counts_as_no_index() -> None:
    """While a save or a resize holds the index, a walk would wait for it: every row counts as scanned."""
    vectors = ScopeVectors(DIMS, rows(clustered(1200, 6)), ann_min_rows=1000)
    assert vectors.wait_for_index(timeout=120)
    index = vectors._ann
    assert index is not None
    with index._lock:
        assert index.busy and vectors.scanned_rows == 1200
    assert vectors.scanned_rows == 0


def test_a_walk_does_not_wait_out_a_save(indexed: tuple[ScopeVectors, np.ndarray]) -> None:
    """While a save or a resize holds the index (~0.5 s at 100k rows), a search scans exactly instead of waiting."""
    vectors, queries = indexed
    index = vectors._ann
    assert index is not None
    found: list[list[dict[str, object]]] = []
    with index._lock:  # as a save holds it
        searcher = threading.Thread(target=lambda: found.append(vectors.top(queries[0].tolist(), 5)))
        searcher.start()
        searcher.join(timeout=10)
        assert not searcher.is_alive()
    assert ids(found[0]) == ids(vectors.exact_top(queries[0].tolist(), 5))
