"""Spreading the best hits across a conversation (search/diversity)."""

from __future__ import annotations

from graphmem.search.diversity import episode_number, spread

EPISODES = {"a": ["k-10"], "b": ["k-13"], "c": ["k-14"], "d": ["k-90"]}
SCORES = {"a": 1.0, "b": 0.9, "c": 0.8, "d": 0.7}


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda mid: -scores[mid])


def test_a_hit_said_elsewhere_passes_the_neighbours_of_a_better_one() -> None:
    spread_scores = spread(SCORES, EPISODES, strength=0.3, span=5, considered=10)
    assert ranked(spread_scores) == ["a", "d", "b", "c"]
    assert spread_scores["a"] == 1.0 and spread_scores["d"] == 0.7


def test_the_turn_right_next_to_a_better_hit_is_not_discounted() -> None:
    scores = {"q": 1.0, "answer": 0.9}
    assert spread(scores, {"q": ["k-5"], "answer": ["k-6"]}, strength=0.5, span=8, considered=10) == scores


def test_strength_zero_or_far_apart_changes_nothing() -> None:
    assert spread(SCORES, EPISODES, strength=0.0, span=5, considered=10) == SCORES
    assert spread(SCORES, EPISODES, strength=0.5, span=1, considered=1) == SCORES  # only the best is considered


def test_episode_numbers() -> None:
    assert episode_number("abc-def-12") == 12
    assert episode_number("nonumber") is None
    assert spread({"x": 1.0, "y": 0.5}, {"x": ["odd"], "y": []}, 0.5, 3, 10) == {"x": 1.0, "y": 0.5}
