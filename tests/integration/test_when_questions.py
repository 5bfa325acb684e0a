"""search/answer_time on the embedded store: for a question that asks when, a message that names a time goes
before one that matches the question's words better but names none."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from graphmem import Memory
from tests.conftest import kuzu_config

UNTIMED = "Melanie: Signing up for the pottery class was the best thing, pottery class is my calm"
TIMED = "Melanie: I joined a pottery group yesterday"
TURNS = [UNTIMED, TIMED, *[f"{who}: The weather on day {i} was mild and grey" for i in range(8)
                           for who in ("Melanie", "Caroline")]]


def ranked(query: str, **search: Any) -> list[str]:
    with Memory({**kuzu_config(":memory:"), "search": search}) as memory:
        memory.add([{"role": "user", "content": t} for t in TURNS], user_id="pair", infer=False)
        return [r["memory"] for r in memory.search(query, user_id="pair", limit=5)["results"]]


def test_a_when_question_puts_the_message_that_names_a_time_first() -> None:
    query = "When did Melanie sign up for the pottery class?"
    off = ranked(query, untimed_weight=1)
    assert off.index(UNTIMED) < off.index(TIMED)  # the words alone
    on = ranked(query)
    assert on.index(TIMED) < on.index(UNTIMED)


def test_other_questions_are_ranked_by_their_words() -> None:
    query = "Did Melanie sign up for the pottery class?"
    assert ranked(query) == ranked(query, untimed_weight=1)


def test_a_search_as_of_a_past_time_keeps_the_form_of_the_answer() -> None:
    # A memory superseded since `as_of` joins the fusion again (search/as_of.widen); the steps after fusion
    # (here the untimed discount) are taken again with it.
    query = "When did Melanie sign up for the pottery class?"
    with Memory(kuzu_config(":memory:")) as memory:
        memory.add([{"role": "user", "content": t} for t in TURNS], user_id="pair", infer=False)
        memory.add("I live in Berlin.", user_id="pair")
        between = datetime.now(timezone.utc)
        memory.add("I moved to Paris, I live in Paris now.", user_id="pair")  # supersedes Berlin
        now = [r["memory"] for r in memory.search(query, user_id="pair", limit=5)["results"]]
        then = [r["memory"] for r in memory.search(query, user_id="pair", limit=5, as_of=between)["results"]]
    assert now.index(TIMED) < now.index(UNTIMED)
    assert then.index(TIMED) < then.index(UNTIMED)
