"""mem0's filter spellings on every backend: get_all's store-side narrowing (memory/list_containing) included."""

from __future__ import annotations

from typing import Any

import pytest

from graphmem import Memory


def texts(result: dict[str, Any]) -> list[str]:
    return [r["memory"] for r in result["results"]]


@pytest.mark.parametrize("filters", [{"metadata.topic": "食物"}, {"metadata": {"topic": "食物"}},
                                     {"topic": {"$eq": "食物"}, "rating": {"$gte": 4}}])
def test_get_all_narrows_in_the_store(mem: Memory, filters: dict[str, Any]) -> None:
    mem.add("I love pizza", user_id="alice", infer=False, metadata={"topic": "食物", "rating": 5})
    mem.add("I love trains", user_id="alice", infer=False, metadata={"topic": "travel", "rating": 3})
    mem.add("Bob loves pasta", user_id="bob", infer=False, metadata={"topic": "食物", "rating": 5})
    assert texts(mem.get_all(filters={"user_id": "alice", **filters})) == ["I love pizza"]
    assert texts(mem.get_all(user_id="alice", filters={"topic": "none of these"})) == []
