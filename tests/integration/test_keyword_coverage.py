"""search/coverage on the embedded store: a query with words no memory holds leans less on its keyword ranking;
one in the conversation's own words is fused as configured."""

from __future__ import annotations

from typing import Any

from graphmem import Memory
from tests.conftest import kuzu_config

TURNS = [
    "Ben: I repainted the hallway last spring",
    "Ben: The kitchen renovation finally finished with new tiles",
    "Ben: The soup at the new place was cold",
    *[f"{who}: The weather on day {i} was mild and grey" for i in range(8) for who in ("Ben", "Nora")],
]


def fused(query: str, **search: Any) -> dict[str, float]:
    with Memory({**kuzu_config(":memory:"), "search": search}) as memory:
        memory.add([{"role": "user", "content": t} for t in TURNS], user_id="pair", infer=False)
        results = memory.search(query, user_id="pair", limit=30, explain=True)["results"]
        return {r["memory"]: float(r["explain"]["fused"]) for r in results}


def test_a_query_in_the_conversations_words_is_fused_as_configured() -> None:
    query = "Which hallway renovation?"  # both telling words are the scope's
    assert fused(query) == fused(query, keyword_coverage=False)


def test_a_word_no_memory_holds_lowers_the_keyword_rankings_say() -> None:
    query = "Which hallway makeover?"  # "makeover" is in no memory: coverage 1/2
    on, off = fused(query), fused(query, keyword_coverage=False)
    assert on != off
    # Only the hallway memory holds a query word: the memories the keyword ranking left out count for more
    # against it (fused scores are shares of what a hit first in every signal gets).
    assert on[TURNS[0]] == off[TURNS[0]] == 1.0
    assert all(on[t] > off[t] for t in TURNS[1:] if t in off)
