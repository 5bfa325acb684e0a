"""Reciprocal-rank fusion (graphmem/search/fusion.py)."""

from __future__ import annotations

import pytest

from graphmem.search.fusion import hop_decay, reciprocal_rank_fusion

WEIGHTS = {"vector": 1.0, "keyword": 1.0, "graph": 0.5}


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda item: -scores[item])


def test_scores_are_in_unit_interval_and_top_in_every_signal_is_one() -> None:
    scores = reciprocal_rank_fusion(
        {"vector": ["a", "b", "c"], "keyword": ["a", "c"], "graph": ["a", "d", "b"]}, WEIGHTS)
    assert set(scores) == {"a", "b", "c", "d"}
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert scores["a"] == pytest.approx(1.0)


def test_agreement_between_signals_ranks_higher() -> None:
    scores = reciprocal_rank_fusion({"vector": ["a", "b", "c"], "keyword": ["b"]}, WEIGHTS)
    assert ranked(scores) == ["b", "a", "c"]


def test_rank_order_within_one_signal_is_kept() -> None:
    scores = reciprocal_rank_fusion({"vector": ["x", "y", "z"]}, WEIGHTS)
    assert ranked(scores) == ["x", "y", "z"]
    assert scores["x"] == pytest.approx(1.0)


def test_weights_decide_between_signals() -> None:
    rankings = {"vector": ["v"], "keyword": ["k"]}
    assert ranked(reciprocal_rank_fusion(rankings, {"vector": 2.0, "keyword": 1.0})) == ["v", "k"]
    assert ranked(reciprocal_rank_fusion(rankings, {"vector": 1.0, "keyword": 2.0})) == ["k", "v"]


def test_unweighted_signal_adds_nothing() -> None:
    scores = reciprocal_rank_fusion({"vector": ["a"], "other": ["b", "a"]}, {"vector": 1.0})
    assert scores["a"] == pytest.approx(1.0)
    assert scores["b"] == 0.0


def test_empty_signals_do_not_lower_the_scale() -> None:
    # An empty signal is left out of the ideal score, so the best item still scores 1.
    scores = reciprocal_rank_fusion({"vector": ["a", "b"], "keyword": [], "graph": []}, WEIGHTS)
    assert scores["a"] == pytest.approx(1.0)


@pytest.mark.parametrize("rankings", [{}, {"vector": [], "keyword": []}])
def test_nothing_ranked_gives_nothing(rankings: dict[str, list[str]]) -> None:
    assert reciprocal_rank_fusion(rankings, WEIGHTS) == {}


def test_zero_weights_give_nothing() -> None:
    assert reciprocal_rank_fusion({"vector": ["a"]}, {"vector": 0.0}) == {}


def test_k_flattens_rank_differences() -> None:
    sharp = reciprocal_rank_fusion({"vector": ["a", "b"]}, WEIGHTS, k=1)
    flat = reciprocal_rank_fusion({"vector": ["a", "b"]}, WEIGHTS, k=1000)
    assert sharp["b"] < flat["b"] < 1.0


def test_duplicate_ids_in_one_signal_stay_in_unit_interval() -> None:
    scores = reciprocal_rank_fusion({"vector": ["a", "a"]}, WEIGHTS)
    assert scores["a"] <= 1.0


@pytest.mark.parametrize(("hops", "expected"), [(0, 0.8), (1, 0.8), (2, 0.4), (3, 0.2)])
def test_hop_decay(hops: int, expected: float) -> None:
    assert hop_decay(0.8, hops) == pytest.approx(expected)
