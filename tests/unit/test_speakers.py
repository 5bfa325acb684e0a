"""The query as its vector reads it: the speakers it names left out (search/speakers)."""

from __future__ import annotations

from graphmem.search.speakers import MAX_STRIPPED_QUERY, speakers_among, without_names


def test_a_speakers_name_and_possessive_are_left_out() -> None:
    assert without_names("What does Melanie do to destress?", {"melanie"}) == "What does do to destress?"
    assert without_names("What are Melanie's kids into?", {"melanie"}) == "What are kids into?"
    assert without_names("How do Jon and Gina like to relax?", {"jon", "gina"}) == "How do and like to relax?"


def test_only_whole_names_go() -> None:
    assert without_names("Did Melanies paint sunsets?", {"melanie"}) == "Did Melanies paint sunsets?"
    assert without_names("What did Jonathan bake?", {"jon"}) == "What did Jonathan bake?"


def test_a_speakers_first_name_in_someone_elses_name_stays() -> None:
    names = {"jon baker", "jon"}  # the speaker Jon Baker is named by his whole name or its first word
    assert without_names("Where did Jon Snow end up?", names) == "Where did Jon Snow end up?"
    assert without_names("What did Jon Baker bake?", names) == "What did bake?"
    assert without_names("What did Jon bake?", names) == "What did bake?"


def test_a_query_that_would_say_too_little_stays_whole() -> None:
    for query, name in (("Who is Caroline?", "caroline"), ("What about Melanie?", "melanie"), ("王磊？", "王磊"),
                        ("王磊是谁？", "王磊")):
        assert without_names(query, {name}) == query


def test_a_han_name_goes_unless_inside_a_longer_word() -> None:
    assert without_names("王磊喜欢什么运动？", {"王磊"}) == "喜欢什么运动？"
    assert without_names("最近常和王磊一起跑步的是谁？", {"王磊"}) == "最近常和 一起跑步的是谁？"
    assert without_names("佳穎養的貓叫什麼名字？", {"佳穎"}) == "養的貓叫什麼名字？"  # Traditional, a name jieba lacks
    assert without_names("小艾在国庆节去了哪里？", {"国庆"}) == "小艾在国庆节去了哪里？"
    assert without_names("主张伟大的理想是什么？", {"张伟"}) == "主张伟大的理想是什么？"


def test_a_long_query_keeps_its_names() -> None:
    query = "What does Melanie do to destress? " + "She mentioned many things over the years. " * 20
    assert len(query) > MAX_STRIPPED_QUERY
    assert without_names(query, {"melanie"}) is query


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
