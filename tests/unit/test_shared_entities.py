"""search/shared: which hits seed the signal, which of their entities count, and how memories are ranked."""

from __future__ import annotations

import math

from graphmem.search.shared import SHARED_SEEDS, ranked_by_mentions, seed_entities, seed_ids


def test_the_seeds_are_the_best_of_each_ranking_once_each() -> None:
    vector = [f"v{i}" for i in range(20)]
    keyword = ["v0", "k1", "v1", *[f"k{i}" for i in range(2, 20)]]
    seeds = seed_ids(vector, keyword)
    assert seeds[:SHARED_SEEDS] == vector[:SHARED_SEEDS]
    assert len(seeds) == len(set(seeds)) and "k1" in seeds and "k19" not in seeds and "v19" not in seeds


def test_the_entities_the_query_names_are_left_out() -> None:
    briefs = [{"entity_ids": ["nora", "portugal"]}, {"entity_ids": ["portugal", "lisbon"]}, {}]
    assert seed_entities(briefs, {"nora"}) == ["portugal", "lisbon"]


def test_memories_rank_by_how_specific_the_entities_they_share_are() -> None:
    mentions = [
        {"entity_id": "lisbon", "memory_id": "a", "degree": 1},
        {"entity_id": "portugal", "memory_id": "b", "degree": 4},
        {"entity_id": "portugal", "memory_id": "b", "degree": 4},  # an update may list a pair twice
        {"entity_id": "lisbon", "memory_id": "b", "degree": 1},
        {"entity_id": "portugal", "memory_id": "c", "degree": 4},
    ]
    assert ranked_by_mentions(mentions, 10) == ["b", "a", "c"]  # b: 1 + 1/2; a: 1; c: 1/2
    assert ranked_by_mentions(mentions, 2) == ["b", "a"]
    assert ranked_by_mentions([{"entity_id": "x", "memory_id": "m", "degree": 0}], 5) == ["m"]  # no division by 0
    assert math.isclose(1 / math.sqrt(4), 0.5)
