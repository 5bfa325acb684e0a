"""The feedback signal runs only in a scope of at least `search.feedback_min_memories` memories: in a small
one the best hits' shared words are the chat's topic (companion chats of ~50 messages rank better without it)."""

from __future__ import annotations

from typing import Any

import pytest

from graphmem import Memory
from tests.conftest import kuzu_config

# The best hits share "marathon" and "training", which the query does not say: the feedback query finds the
# memories that say only those words.
TURNS = [
    *[f"Alex: My marathon training plan for week {i} is going well" for i in range(3)],
    *[f"Alex: Marathon day {i} was tough on my legs" for i in range(4)],
    *[f"Alex: The weather on day {i} was mild and grey" for i in range(33)],
]
QUERY = "How is Alex's running plan going?"


def feedback_hits(min_memories: int, candidates: int = 50) -> int:
    config: dict[str, Any] = {**kuzu_config(":memory:"),
                              "search": {"feedback_min_memories": min_memories, "candidates": candidates}}
    with Memory(config) as memory:
        memory.add([{"role": "user", "content": t} for t in TURNS], user_id="alex", infer=False)
        results = memory.search(QUERY, user_id="alex", limit=20, explain=True)["results"]
    return sum(1 for r in results if "feedback" in r["explain"])


def test_a_scope_below_the_minimum_gets_no_feedback() -> None:
    assert feedback_hits(min_memories=41) == 0


@pytest.mark.parametrize("candidates", [50, 10], ids=["seen-in-the-vector-hits", "counted-by-time"])
def test_a_scope_at_the_minimum_gets_feedback(candidates: int) -> None:
    # With 10 candidates the vector search returns fewer than the minimum: the scope is counted by its memories' times.
    assert feedback_hits(min_memories=40, candidates=candidates) > 0
    assert feedback_hits(min_memories=41, candidates=candidates) == 0

