"""A memory scope loaded by column (inprocess/loaded_rows.py: from the store's rows, or from a saved copy of their
vectors with some rows read from the store) holds bit for bit what the same rows make as VectorRows, one per row
(`vector_row`, then `ScopeMemories.extend`): every matrix, row, lookup list, keyword posting and answer."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphmem.backends.kuzu_writes import MEMORY_COLUMNS, held_memory, vector_row
from graphmem.inprocess import scopes
from graphmem.inprocess.loaded_rows import from_saved, from_store
from graphmem.inprocess.scopes import ScopeMemories, without_vectors
from graphmem.inprocess.vector_files import COLUMNS, HASHES, VectorFiles
from tests.conftest import saved_copy

DIMS = 4
WORDS = ("hiking", "sourdough", "cello", "chess", "the", "and", "kayak", "Zürich", "東京", "trip")


def store_rows(count: int, seed: int = 5) -> list[dict[str, Any]]:
    """Rows as the store returns them (vectors_hashed_in_scope): float32-exact vectors, some rows with two or
    three sentence vectors (one with a partial one left over), most with a context, hashes of the vectors."""
    chance = random.Random(seed)

    def vector() -> list[float]:
        return [float(np.float32(chance.uniform(-1, 1))) for _ in range(DIMS)]

    rows = []
    for i in range(count):
        parts = [x for _ in range(chance.choice((0, 0, 2, 3))) for x in vector()]
        if i in (5, 7):
            parts += [0.25, 0.5]  # not a whole vector: cut off, as similarity.split_parts does
        row: dict[str, Any] = {
            "id": f"m{chance.randint(0, 10**9):09d}-{i}", "embedding": vector(), "parts": parts,
            "context_embedding": vector() if i % 4 else [], "text": " ".join(chance.sample(WORDS, 4)),
            "hash": f"h{i % 9}", "metadata": "{}", "memory_type": None, "user_id": "u", "agent_id": None,
            "run_id": None, "actor_id": None, "role": "user", "created_at": "c", "updated_at": None,
            "valid_at": f"2026-01-0{chance.randint(1, 3)}" if i % 5 else None, "invalid_at": None,
            "episode_ids": [f"e{i // 3}"], "entity_ids": [f"n{i % 4}", f"n{i % 4}", f"n{i % 7}"]}
        row.update(zip(HASHES, (i, 2 * i, 3 * i), strict=True))
        rows.append(row)
    return rows


def snapshot(loaded: ScopeMemories) -> dict[str, Any]:
    held: dict[str, Any] = {"rows": {i: (r, list(r.record or {})) for i, r in loaded._rows.items()},
                            "lists": (loaded._by_time, loaded._by_hash, loaded._by_entity, loaded._by_episode,
                                      loaded._part_ids)}
    for name, matrix in (("memory", loaded._vectors), ("parts", loaded._parts), ("context", loaded._contexts)):
        assert matrix is not None
        held[name] = (matrix._matrix.shape, matrix._matrix.tobytes(), matrix._alive.tobytes(), matrix._ids,
                      matrix._names, matrix._position)
    keywords = loaded._keywords
    held["keywords"] = ({t: (bytes(d), bytes(c)) for t, (d, c) in keywords._postings.items()},
                        bytes(keywords._lengths), keywords._ids, keywords._total_length)
    held["answers"] = [(loaded.top([0.3, -0.2, 0.9, 0.1], 15), loaded.top_in_context([1.0, 0.0, 0.5, -0.5], 15, 0.5),
                        loaded.keyword_top(query, 15)) for query in ("hiking trip", "東京", "cello chess")]
    return held


def one_by_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return snapshot(ScopeMemories(DIMS, [vector_row(r) for r in rows]))


@pytest.fixture(autouse=True)
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scopes, "ROWS_PER_STEP", 16)  # rows with and without parts and contexts across steps


def test_a_memory_row_held_is_the_row_made_without_its_vectors() -> None:
    for row in store_rows(30):
        assert held_memory(row) == without_vectors(vector_row(row))
        bare = {column: row[column] for column in MEMORY_COLUMNS}  # hashed_in_scope's, its hashes taken out
        made = held_memory(bare)
        assert made == without_vectors(vector_row(row)) and list(made.record or {}) == list(MEMORY_COLUMNS)


def test_rows_from_the_store_by_column_make_the_scope_they_make_one_by_one() -> None:
    rows = store_rows(150)
    as_lists = from_store([held_memory(r) for r in rows], [tuple(r[c] for c in COLUMNS) for r in rows], DIMS)
    as_arrays = from_store([held_memory(r) for r in rows],
                           [tuple(np.asarray(r[c], dtype=np.float32) if r[c] else None for c in COLUMNS)
                            for r in rows], DIMS)
    assert as_lists is not None and as_arrays is not None
    reference = one_by_row(rows)
    assert snapshot(ScopeMemories(DIMS, as_lists)) == reference
    assert snapshot(ScopeMemories(DIMS, as_arrays)) == reference


def test_rows_from_a_saved_copy_and_the_store_make_the_scope_they_make_one_by_one(tmp_path: Path) -> None:
    rows = store_rows(150)
    files = VectorFiles(tmp_path / "db.ann")
    file = files.of("memory", ("u", None, None))
    assert file.save([(r["id"], tuple(r[h] for h in HASHES), tuple(r[c] for c in COLUMNS)) for r in rows[10:]])
    saved = saved_copy(file, DIMS)
    assert saved is not None
    for i in range(20, 150, 9):  # updated since the save: another vector, another hash
        rows[i]["embedding"] = [0.5, -0.5, 0.25, 1.0]
        rows[i]["embedding_hash"] += 1000
    places = saved.places([r["id"] for r in rows], [tuple(r[h] for h in HASHES) for r in rows])
    stored = [i for i, place in enumerate(places.tolist()) if place < 0]
    assert stored == [*range(10), *range(20, 150, 9)]
    own = [tuple(np.asarray(r[c], dtype=np.float32) if r[c] else None for c in COLUMNS) if i in stored else None
           for i, r in enumerate(rows)]
    loaded = from_saved([held_memory(r) for r in rows], places, own, saved, DIMS)
    assert snapshot(ScopeMemories(DIMS, loaded)) == one_by_row(rows)


def test_rows_without_an_embedding_or_with_a_context_of_another_length_do_not_load_by_column() -> None:
    for change in ({"embedding": None}, {"embedding": [1.0, 2.0]}, {"context_embedding": [1.0]}):
        rows = store_rows(5)
        rows[3].update(change)
        assert from_store([held_memory(r) for r in rows], [tuple(r[c] for c in COLUMNS) for r in rows], DIMS) is None
    rows = store_rows(5)
    rows[4]["id"] = rows[0]["id"]
    assert from_store([held_memory(r) for r in rows], [tuple(r[c] for c in COLUMNS) for r in rows], DIMS) is None
