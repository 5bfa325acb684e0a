"""search/shared on the embedded store: a message that shares no word with the question, but names the places
its best hit names, is ranked by the shared signal; a small scope, or weight 0, goes without it."""

from __future__ import annotations

from typing import Any

from graphmem import Memory
from tests.conftest import kuzu_config

TURNS = [
    "Nora: Callum and I are going to Portugal for the honeymoon! Lisbon first, then the Algarve.",
    "Ben: That sounds amazing. Send pictures!",
    "Nora: The venue people called about the tables again.",
    "Ben: Isla wants to know if the dogs can come to the wedding.",
    "Nora: Portugal was dreamy. Lisbon was all hills and custard tarts.",
    "Ben: I finished the skirting boards in the flat.",
]
QUESTION = "Where did Nora go on honeymoon?"


def explained(**search: Any) -> dict[str, dict[str, float]]:
    with Memory({**kuzu_config(":memory:"), "search": search}) as memory:
        for turn in TURNS:
            memory.add(turn, user_id="pair", infer=False)
        results = memory.search(QUESTION, user_id="pair", limit=10, explain=True)["results"]
        return {r["memory"]: r["explain"] for r in results}


def test_a_message_naming_the_best_hits_places_is_ranked_by_them() -> None:
    found = explained(shared_min_memories=0)
    assert "shared" in found[TURNS[0]]  # the honeymoon message names Portugal and Lisbon
    assert "shared" in found[TURNS[4]]  # and so does the one about the trip, in other words
    assert found[TURNS[4]]["shared"] > 0


def test_a_small_scope_or_weight_0_goes_without_it() -> None:
    for found in (explained(), explained(shared_min_memories=0, weights={"shared": 0})):
        assert not any("shared" in signals for signals in found.values())
