"""List questions (search/lists): the kind a "What <kind> has <someone> ...?" question asks for."""

from __future__ import annotations

import pytest

from graphmem.search.lists import list_question, list_share, of_named_speakers


@pytest.mark.parametrize(("query", "head"), [
    ("What European countries has Maria been to?", "European countries"),
    ("What martial arts has John done?", "martial arts"),
    ("Which cities has Jon visited?", "cities"),
    ("what types of yoga has Maria practiced", "types of yoga"),
])
def test_the_kind_a_list_question_asks_for(query: str, head: str) -> None:
    found = list_question(query)
    assert found is not None and found[0] == head and found[1] <= 1


@pytest.mark.parametrize("query", [
    "What does Melanie do to destress?",  # the verb, not a kind
    "What are some changes Caroline has faced?",
    "What year did John move to Boston?",  # a time: the time signal's
    "Where has Maria made friends?",
    "Maria 去過哪些歐洲國家？",
    "What things that she bought last summer in the old town market has Maria kept?",  # a clause, not a kind
])
def test_other_questions_have_no_head(query: str) -> None:
    assert list_question(query) is None


def test_a_question_that_says_more_than_the_kind_is_not_a_list_question() -> None:
    query = "What activity did Melanie used to do with her dad?"  # about her dad: "used", "dad"
    assert list_question(query) == ("activity", 2)  # a list question only where 2 more words are allowed


def test_the_named_speakers_turns_only_when_some_are_named() -> None:
    texts = {"a": "Maria: I was in Spain", "b": "John: I was in England", "c": "a note without a speaker"}
    assert of_named_speakers(["a", "b", "c"], texts, {"maria"}) == ["a"]
    assert of_named_speakers(["a", "b", "c"], texts, {"laura"}) == ["a", "b", "c"]


@pytest.mark.parametrize(("query", "found"), [
    ("What martial arts has John done?", ("martial arts", 1)),  # "done"
    ("What activity did Melanie used to do with her dad?", ("activity", 2)),  # "used", "dad"
    ("What kind of dance piece did Gina's team perform to win first place?", ("kind of dance piece", 5)),
    ("What does Melanie do to destress?", None),
])
def test_a_list_question_and_how_much_more_it_says(query: str, found: tuple[str, int] | None) -> None:
    assert list_question(query) == found


def test_a_question_that_says_more_than_the_kind_gets_the_loose_share() -> None:
    assert list_share(0, max_rest=1, loose=0.5) == list_share(1, max_rest=1, loose=0.5) == 1.0
    assert list_share(2, max_rest=1, loose=0.5) == 0.5
    assert list_share(4, max_rest=1, loose=0.0) == 0.0


def test_a_long_query_with_a_run_of_spaces_is_read_in_linear_time() -> None:
    """An unbounded head backtracked over a 20,000-character query with a long run of spaces for 16 s (minutes
    at the 100,000 characters a query may have); the bounded head reads these in milliseconds."""
    assert list_question("what a" + " " * 100_000 + "b") is None
    assert list_question("What " + "x " * 50_000 + "has y") is None
