"""List questions (search/lists): the kind a "What <kind> has <someone> ...?" question asks for."""

from __future__ import annotations

import pytest

from graphmem.search.lists import list_head, of_named_speakers


@pytest.mark.parametrize(("query", "head"), [
    ("What European countries has Maria been to?", "European countries"),
    ("What martial arts has John done?", "martial arts"),
    ("Which cities has Jon visited?", "cities"),
    ("what types of yoga has Maria practiced", "types of yoga"),
])
def test_the_kind_a_list_question_asks_for(query: str, head: str) -> None:
    assert list_head(query, max_rest=1) == head


@pytest.mark.parametrize("query", [
    "What does Melanie do to destress?",  # the verb, not a kind
    "What are some changes Caroline has faced?",
    "What year did John move to Boston?",  # a time: the time signal's
    "Where has Maria made friends?",
    "Maria 去過哪些歐洲國家？",
    "What things that she bought last summer in the old town market has Maria kept?",  # a clause, not a kind
])
def test_other_questions_have_no_head(query: str) -> None:
    assert list_head(query, max_rest=99) is None


def test_a_question_that_says_more_than_the_kind_is_not_a_list_question() -> None:
    query = "What activity did Melanie used to do with her dad?"  # about her dad: "used", "dad"
    assert list_head(query, max_rest=1) is None
    assert list_head(query, max_rest=2) == "activity"


def test_the_named_speakers_turns_only_when_some_are_named() -> None:
    texts = {"a": "Maria: I was in Spain", "b": "John: I was in England", "c": "a note without a speaker"}
    assert of_named_speakers(["a", "b", "c"], texts, {"maria"}) == ["a"]
    assert of_named_speakers(["a", "b", "c"], texts, {"laura"}) == ["a", "b", "c"]
