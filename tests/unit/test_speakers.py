"""The query as its vector reads it: the speakers it names left out (search/speakers)."""

from __future__ import annotations

from graphmem.search.speakers import speakers_among, without_names


def test_a_speakers_name_and_possessive_are_left_out() -> None:
    assert without_names("What does Melanie do to destress?", {"melanie"}) == "What does do to destress?"
    assert without_names("What are Melanie's kids into?", {"melanie"}) == "What are kids into?"
    assert without_names("How do Jon and Gina like to relax?", {"jon", "gina"}) == "How do and like to relax?"


def test_only_whole_names_go() -> None:
    assert without_names("Did Melanies paint sunsets?", {"melanie"}) == "Did Melanies paint sunsets?"
    assert without_names("What did Jonathan bake?", {"jon"}) == "What did Jonathan bake?"


def test_a_query_that_would_say_too_little_stays_whole() -> None:
    assert without_names("Who is Caroline?", {"caroline"}) == "Who is Caroline?"
    assert without_names("王磊？", {"王磊"}) == "王磊？"


def test_a_han_name_goes_wherever_it_stands() -> None:
    assert without_names("王磊喜欢什么运动？", {"王磊"}) == "喜欢什么运动？"
    assert without_names("最近常和王磊一起跑步的是谁？", {"王磊"}) == "最近常和 一起跑步的是谁？"


def test_no_names_no_change() -> None:
    query = "  What   does Melanie do?  "
    assert without_names(query, set()) is query
    assert without_names(query, {"caroline"}) is query


def test_speakers_are_read_from_prefixes_and_message_names() -> None:
    briefs = [{"text": "Melanie: I ran ten miles today."},
              {"text": "Caroline: Luna loves the park.", "actor_id": None},
              {"text": "I cooked dinner.", "actor_id": "Wang Lei"}]
    assert speakers_among({"melanie", "luna", "wang", "caroline"}, briefs) == {"melanie", "wang", "caroline"}
    assert speakers_among({"luna"}, briefs) == set()
    assert speakers_among({"wang lei"}, briefs) == {"wang lei"}
