"""search/answer_time: a question that asks when, and the messages that name a time."""

import pytest

from graphmem.search.answer_time import asks_when, names_time, untimed_discounted


@pytest.mark.parametrize("query", [
    "When did Melanie sign up for a pottery class?", "How long has Tomás driven the 728?",
    "In which month did Priya move?", "What year did John get his degree?", "What time does Melanie wake up?",
    "So when is the wedding?", "你什么时候开始学游泳的？", "他們在一起多久了？", "小美哪一天生日？",
    "你们认识几年了？", "Around when did Evan buy his car?", "Approximately when did Audrey move?",
    "By when does Jolene need to finish her thesis?", "How many weeks passed between Maria adopting Coco and Shadow?"])
def test_questions_that_ask_when(query: str) -> None:
    assert asks_when(query)


@pytest.mark.parametrize("query", [
    "What did Ben find under the wallpaper?", "Where did Callum propose?", "Who says when to stop?",
    "What pets does Nora have?", "你喜欢什么运动？", "How many dogs does Maria have?",
    "About what did they talk?",
    "How old is Isla?", "你几岁了？",  # an age names no time: an answer would be discounted
    "What time-management tips help?", "这几年你过得好吗？", "你上几年级？"])
def test_questions_that_do_not(query: str) -> None:
    assert not asks_when(query)


@pytest.mark.parametrize("text", [
    "Melanie: I just signed up for a pottery class yesterday.", "We move on June 1.",
    "I start on the 4th of September.",
    "Went bouldering with Marcus on Thursday night.", "We got the keys two weeks ago.", "I've lived here for 4 years.",
    "Back in 2019 I ran my first race.", "I went to Sweden in May.", "We moved last May.", "The party is on May 5th.",
    "I wake up at 6:30.", "Dinner at 7pm.", "我上个月开始学游泳。", "去年我们去了京都。", "三天前他回来了。",
    "十二月五号见。", "Last Fri I finally took my kids to a pottery workshop.", "I joined a new group last Tues.",
    "We rolled in on the 25th after two days of driving.", "Flights booked! Friday the 19th to Monday the 22nd.",
    "Six weeks in a cast.", "Seven years now, and I've found my muses.", "See you on Sat!", "It was last sun."])
def test_messages_that_name_a_time(text: str) -> None:
    assert names_time(text)


@pytest.mark.parametrize("text", [
    "Melanie: Pottery is like therapy for me.", "You may want to try it.", "This may be hard.",
    "The flowers are lovely.", "我喜欢陶艺。", "The sun was out.", "I came 4th out of thirty.",
    "My son is 10 years old.", "This sun is brutal.", "We lay on sun loungers.", "This sat nav is useless.",
    "We live on the 3rd floor.", "I passed on the 2nd attempt.", "Sat on the sofa all evening? No, just sat."])
def test_messages_that_do_not(text: str) -> None:
    assert not names_time(text)


def test_a_long_run_of_digits_is_read_in_one_pass() -> None:
    # The counts before 月, 号, 天前 are bounded: unbounded, 100,000 digits took minutes.
    assert not names_time("1" * 100_000 + "x") and names_time("一" * 100_000 + "月")


def test_only_the_untimed_among_the_read_texts_are_discounted() -> None:
    scores = {"a": 1.0, "b": 0.8, "c": 0.6}
    texts = {"a": "I love pottery", "b": "I signed up yesterday"}  # c was not read: left as it is
    assert untimed_discounted(scores, texts, 0.5) == {"a": 0.5, "b": 0.8, "c": 0.6}
    assert scores == {"a": 1.0, "b": 0.8, "c": 0.6}
