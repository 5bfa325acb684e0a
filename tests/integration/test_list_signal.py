"""The list signal (search/lists): a "What <kind> has <someone> ...?" question ranks the named speaker's
memories by the kind alone, one more query embedding; other questions get none."""

from __future__ import annotations

from typing import Any

from graphmem import Memory
from tests.conftest import kuzu_config

TURNS = [
    "Maria: We went hiking trips up in the hills near the lake",
    "John: My hiking trips were all in the rain this year",
    "Maria: The soup at the new place was cold",
    *[f"{who}: The weather on day {i} was mild and grey" for i in range(10) for who in ("Maria", "John")],
]


def explained(query: str, **search: Any) -> list[dict[str, Any]]:
    with Memory({**kuzu_config(":memory:"), "search": search}) as memory:
        memory.add([{"role": "user", "content": t} for t in TURNS], user_id="pair", infer=False)
        return list(memory.search(query, user_id="pair", limit=30, explain=True)["results"])


def test_a_list_question_ranks_the_named_speakers_memories_by_the_kind() -> None:
    results = explained("What hiking trips has Maria done?")
    listed = [r["memory"] for r in results if "list" in r["explain"]]
    assert listed and all(text.startswith("Maria:") for text in listed)
    assert listed[0] == TURNS[0]


def test_no_list_signal_for_other_questions_or_at_weight_zero() -> None:
    assert not any("list" in r["explain"] for r in explained("Where did Maria go hiking?"))
    assert not any("list" in r["explain"] for r in explained("What hiking trips has Maria done?",
                                                             weights={"list": 0}))
    # The rest of the question says more than the kind ("muddy", "weekend"): no list signal at a loose share of 0.
    assert not any("list" in r["explain"] for r in explained("What hiking trips has Maria done on muddy weekends?",
                                                             list_loose_weight=0))


def test_a_question_that_says_more_than_the_kind_gets_the_list_signal_at_a_lower_weight() -> None:
    query = "What hiking trips has Maria done on muddy weekends?"  # "muddy", "weekends": more than the kind

    def score_of_the_kinds_best(share: float) -> float:
        results = explained(query, list_loose_weight=share)
        if share > 0:
            assert next(r["memory"] for r in results if "list" in r["explain"]) == TURNS[0]
        return float(next(r["explain"]["fused"] for r in results if r["memory"] == TURNS[0]))

    assert score_of_the_kinds_best(0) < score_of_the_kinds_best(0.5) < score_of_the_kinds_best(1)
