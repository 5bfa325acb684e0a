"""Search through the approximate index on a real Kuzu store: same results as the exact scan, and the
index follows adds, updates and deletes. The threshold is lowered so that a small scope gets an index."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmem import Memory
from graphmem.inprocess import vectors
from tests.conftest import kuzu_config

TOPICS = ("hiking", "sourdough", "the cello", "chess", "kayaking", "pottery", "Japanese", "surfing")
QUERIES = ("Who likes baking sourdough?", "chess club", "learning an instrument", "water sports by the sea")


def texts(count: int) -> list[str]:
    return [f"Friend {i} talks about {TOPICS[i % len(TOPICS)]} on day {i // len(TOPICS)} of the trip"
            for i in range(count)]


def ids_of(memory: Memory, query: str) -> list[str]:
    return [r["id"] for r in memory.search(query, user_id="u", limit=10)["results"]]


@pytest.fixture()
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Memory, Memory]:
    """Two stores with the same memories: one searched through an index, one by the exact scan."""
    exact = Memory(kuzu_config(tmp_path / "exact"))
    monkeypatch.setattr(vectors, "ANN_MIN_ROWS", 100)
    indexed = Memory(kuzu_config(tmp_path / "indexed"))
    for memory in (exact, indexed):
        memory.add([{"role": "user", "content": t} for t in texts(240)], user_id="u", infer=False)
    yield exact, indexed
    exact.close()
    indexed.close()


def test_indexed_search_matches_the_exact_scan(stores: tuple[Memory, Memory]) -> None:
    exact, indexed = stores
    for query in QUERIES:
        found = [exact.get(i)["memory"] for i in ids_of(exact, query)]
        assert [indexed.get(i)["memory"] for i in ids_of(indexed, query)] == found


def test_the_index_follows_adds_and_deletes(stores: tuple[Memory, Memory]) -> None:
    _, indexed = stores
    first = ids_of(indexed, QUERIES[0])
    indexed.delete(first[0])
    assert first[0] not in ids_of(indexed, QUERIES[0])
    added = indexed.add("Who likes baking sourdough? Maria does, every Sunday", user_id="u", infer=False)
    new_id = added["results"][0]["id"]
    assert ids_of(indexed, QUERIES[0])[0] == new_id
