"""search/shared on the embedded store: a message that shares no word with the question, but names the places
its best hit names, is ranked by the shared signal; a small scope, or weight 0, goes without it; the gate's count
of a big scope is remembered."""

from __future__ import annotations

from typing import Any

from graphmem import Memory
from graphmem.scope import Scope
from graphmem.search.scope_size import ScopeSizes
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


def test_a_scope_found_big_is_remembered() -> None:
    with Memory(kuzu_config(":memory:")) as memory:
        sizes = ScopeSizes(memory._async.backend)
        scope = Scope.of(user_id="pair")
        for turn in TURNS[:3]:
            memory.add(turn, user_id="pair", infer=False)
        assert not memory._run(sizes.holds_at_least(4, 0, scope))
        assert memory._run(sizes.holds_at_least(3, 0, scope))
        assert memory._run(sizes.holds_at_least(4, 4, scope))  # a search already returned as many
        memory.delete_all(user_id="pair")
        # Not counted again: a scope that shrinks keeps the big-scope signals until it is forgotten.
        assert memory._run(sizes.holds_at_least(3, 0, scope))
        assert not memory._run(sizes.holds_at_least(1, 0, Scope.of(user_id="other")))
