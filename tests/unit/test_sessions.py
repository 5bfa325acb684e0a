"""The session prior (search/sessions): hits of a session that matches the query as a whole count more."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from graphmem import Memory
from graphmem.config import SearchConfig
from graphmem.search.sessions import session_prior, session_strengths, sessions_of

DAY1 = datetime(2023, 5, 8, 13, 0, tzinfo=timezone.utc)
DAY9 = DAY1 + timedelta(days=8)
DAY20 = DAY1 + timedelta(days=19)


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda mid: -scores[mid])


def test_sessions_are_gap_separated_stretches_of_the_timeline() -> None:
    said = {"a": DAY1, "b": DAY1 + timedelta(minutes=50), "c": DAY1 + timedelta(minutes=100),
            "d": DAY9, "e": None}
    assert sessions_of(said) == {"a": 0, "b": 0, "c": 0, "d": 1}  # each step under two hours chains
    assert sessions_of(said, gap=timedelta(minutes=30)) == {"a": 0, "b": 1, "c": 2, "d": 3}


def test_a_session_is_as_strong_as_the_mean_of_its_best_three() -> None:
    strengths = session_strengths({"a": 0.9, "b": 0.6, "c": 0.3, "x": 0.1, "d": 1.0},
                                  {"a": 0, "b": 0, "c": 0, "x": 0, "d": 1})
    assert strengths[0] == pytest.approx(0.6)  # (0.9 + 0.6 + 0.3) / 3: the fourth does not count
    assert strengths[1] == pytest.approx(1.0 / 3)  # one stray hit, however good, makes a weak session


def test_a_weak_turn_of_a_relevant_session_passes_a_stray_hit_elsewhere() -> None:
    scores = {"a": 1.0, "b": 0.8, "c": 0.5, "stray": 0.6, "d": 0.55, "e": 0.45}
    said = {"a": DAY1, "b": DAY1, "c": DAY1, "stray": DAY9, "d": DAY20, "e": DAY20}
    assert ranked(scores) == ["a", "b", "stray", "d", "c", "e"]
    prior = session_prior(scores, said, prior=0.5, considered=10)
    assert ranked(prior) == ["a", "b", "c", "d", "stray", "e"]
    # (0.5 + 0.5 × 1.0 × 1) / 1.5: the weakest turn of the strongest session gains most.
    assert prior["c"] == pytest.approx(2 / 3)
    assert prior["a"] == scores["a"] and max(prior.values()) == max(scores.values())  # none passes the best


def test_off_one_session_or_no_times_changes_nothing() -> None:
    scores = {"a": 1.0, "b": 0.4, "c": 0.3}
    apart = {"a": DAY1, "b": DAY9, "c": DAY20}
    assert session_prior(scores, apart, prior=0.0, considered=10) == scores
    assert session_prior(scores, dict.fromkeys(scores, DAY1), prior=0.9, considered=10) == scores
    assert session_prior(scores, dict.fromkeys(scores), prior=0.9, considered=10) == scores
    # Past the `considered` best, a candidate gets no lift.
    assert session_prior(scores, apart, prior=0.5, considered=2)["c"] == pytest.approx(0.3 / 1.5)


def test_the_field_is_validated_and_off_by_default() -> None:
    assert SearchConfig().session_prior == 0.0
    assert SearchConfig(session_prior=0.3).session_prior == 0.3
    with pytest.raises(ValidationError):
        SearchConfig(session_prior=1.5)


def test_search_ranks_the_relevant_sessions_turns_first(memory: Memory) -> None:
    """Through Memory.search on Kuzu: a lexically weak turn said on the day the garden was the topic rises
    above a stray mention of it on another day; with the prior off the order is as before."""
    days = {
        DAY1: ["Ann: the garden tomatoes are ripe", "Ann: I water the garden tomatoes daily",
               "Ann: our garden tomatoes need more sun", "Ann: bought a new hose for the garden beds"],
        DAY9: ["Ann: my car broke down on the highway", "Ann: the mechanic said garden tomatoes cost less"],
        DAY20: ["Ann: I started a pottery class", "Ann: the teacher is patient"],
    }
    for when, texts in days.items():
        for text in texts:
            memory.add(text, user_id="ann", infer=False, timestamp=when)
    query = "garden tomatoes"

    def order(prior: float) -> list[str]:
        memory.config.search.session_prior = prior
        return [r["memory"] for r in memory.search(query, user_id="ann", limit=10)["results"]]

    off, on = order(0.0), order(1.0)
    stray = "Ann: the mechanic said garden tomatoes cost less"
    weak = "Ann: bought a new hose for the garden beds"  # lexically weak, said on the garden day
    assert set(off) == set(on)
    assert off.index(weak) > off.index(stray)
    assert on.index(weak) < on.index(stray)
    assert order(0.0) == off
