"""Offline language handling: which pipeline reads a text, Chinese extraction, CJK keyword terms, Chinese time cues."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from graphmem.ingest.chinese import LONG_TEXT, classify, read, words
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.languages import language_of
from graphmem.ingest.linker import foreign_names, link_message
from graphmem.ingest.offline import OfflineExtractor
from graphmem.inprocess.keywords import analyse
from graphmem.models import Message
from graphmem.search.when import time_window

USER = ExtractionContext(self_name="user123")


@pytest.mark.parametrize(("text", "language"), [
    ("I love pizza, but I hate broccoli.", "en"),
    ("我喜歡披薩，討厭青花菜", "zh"),
    ("John 在 OpenAI 工作，並且是 Sarah 的朋友", "zh"),
    ("私は東京に住んでいます。", "other"),
    ("저는 서울에 살아요", "other"),
    ("Я живу в Москве.", "other"),
    ("Me encanta la pizza y vivo en Madrid.", "other"),
    ("Ich wohne in Berlin und arbeite bei Siemens.", "other"),
    ("أنا أعمل طبيبا في القاهرة", "other"),
    ("OK 👍", "en"),
])
def test_language_of(text: str, language: str) -> None:
    assert language_of(text) == language


def triples(text: str, role: str = "user") -> set[tuple[str, str, str]]:
    return {rel for s in read(text, role, "user123", None) for rel in s.relations}


def test_the_seeds_graph_example_in_chinese() -> None:
    assert triples("John 在 OpenAI 工作，並且是 Sarah 的朋友") == {
        ("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")}


def test_first_person_and_a_dropped_subject_are_the_speaker() -> None:
    assert triples("我喜歡披薩，討厭青花菜") == {("user123", "likes", "披薩"), ("user123", "hates", "青花菜")}


@pytest.mark.parametrize(("text", "expected"), [
    ("我住在台北。", ("user123", "lives_in", "台北")),
    ("上个月我搬到了上海", ("user123", "lives_in", "上海")),
    ("我在阿里巴巴上班", ("user123", "works_at", "阿里巴巴")),
    ("我的妻子是王小美", ("王小美", "wife_of", "user123")),
    ("我女朋友叫李娜", ("李娜", "girlfriend_of", "user123")),
    ("我是素食者", ("user123", "is", "素食者")),
    ("我不喜欢香菜", ("user123", "dislikes", "香菜")),
    ("我上週去了京都。", ("user123", "went_to", "京都")),
    ("我去了趟上海", ("user123", "went_to", "上海")),
    ("我们去年去过日本", ("user123", "visited", "日本")),
    ("我参观了故宫博物院", ("user123", "visited", "故宫博物院")),
    ("我去医院看病", ("user123", "went_to", "医院")),
])
def test_common_relation_patterns(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("我不太喜欢惊悚片，但我喜欢科幻电影。", {("user123", "dislikes", "惊悚片"), ("user123", "likes", "科幻电影")}),
    ("我不是很喜欢咖啡", {("user123", "dislikes", "咖啡")}),
    ("我没那么喜欢猫", {("user123", "dislikes", "猫")}),
    ("我从来不喜欢香菜", {("user123", "dislikes", "香菜")}),
    ("我不爱吃辣", {("user123", "not_love", "吃辣")}),
    ("我不讨厌青菜", {("user123", "not_hate", "青菜")}),
    ("我不养狗", {("user123", "not_have", "狗")}),
])
def test_a_feeling_negated_before_its_verb_is_read_negated(text: str, expected: set[tuple[str, str, str]]) -> None:
    # mem0's docs' movie example: "不太喜欢" put an adverb between the negation and the verb, and was read as likes
    assert triples(text) == expected


@pytest.mark.parametrize("text", ["我没去北京", "我不想去北京", "我明天去上班", "他去看电影了"])
def test_going_without_a_place_or_not_going_relates_nothing(text: str) -> None:
    assert triples(text) == set()


@pytest.mark.parametrize(("sentence", "role", "kind"), [
    ("我會記住您的食物偏好！", "assistant", "acknowledgement"),
    ("你可以試試瑜伽。", "assistant", "suggestion"),
    ("你喜歡什麼運動？", "assistant", "question"),
    ("請推薦幾門線上課程。", "user", "request"),
    ("你覺得呢？", "user", "question"),
    ("謝謝！", "user", "small_talk"),
    ("我養了一隻貓。", "user", "fact"),
])
def test_what_a_sentence_does(sentence: str, role: str, kind: str) -> None:
    assert classify(sentence, role) == kind


def test_the_seeds_quick_start_keeps_the_users_words_only() -> None:
    messages = [Message(role="user", content="我喜歡披薩，討厭青花菜"),
                Message(role="assistant", content="我會記住您的食物偏好！")]
    result = asyncio.run(OfflineExtractor().extract(messages, USER))
    assert [f.text for f in result.facts] == ["我喜歡披薩，討厭青花菜"]


@pytest.mark.parametrize("text", ["Me encanta la pizza.", "Я живу в Москве с Анной.", "私は東京に住んでいます。",
                                  "저는 서울에 살아요", "أنا أعمل طبيبا"])
def test_a_language_without_a_parser_is_stored_as_said(text: str) -> None:
    result = asyncio.run(OfflineExtractor().extract([Message(role="user", content=text)], USER))
    assert [f.text for f in result.facts] == [text]


@pytest.mark.parametrize("text", ["Kız kardeşim Ankara'da yaşıyor.", "Moja siostra mieszka w Krakowie.",
                                  "Tôi làm việc ở Hà Nội.", "Minä asun Helsingissä."])
def test_a_latin_script_language_taken_for_english_is_still_stored(text: str) -> None:
    result = asyncio.run(OfflineExtractor().extract([Message(role="user", content=text)], USER))
    assert [f.text for f in result.facts] == [text]


def test_a_long_chinese_text_is_tagged_from_the_dictionary() -> None:
    long_text = "我和小明昨天去了北京，在天安门见到了李华。" * 300  # past LONG_TEXT: no POS tagger run
    assert len(long_text) > LONG_TEXT
    assert {("北京", "ns"), ("天安门", "ns")} <= {(w.text, w.flag) for w in words(long_text)}


def test_names_in_other_scripts() -> None:
    assert foreign_names("Я живу в Москве с Анной.") == ["Москве", "Анной"]
    assert "OpenAI" in foreign_names("John 在 OpenAI 工作")
    assert foreign_names("Hahaha! Ich wohne jetzt mit Anna in Berlin.") == ["Ich", "Anna", "Berlin"]


def test_infer_false_links_chinese_names_and_the_speaker() -> None:
    entities = link_message(Message(role="user", content="我和李娜在北京大学读书"), USER)
    assert {(e.name, e.type) for e in entities} >= {("user123", "person"), ("李娜", "person"),
                                                    ("北京大学", "organization")}


def test_keyword_terms_of_cjk_and_mixed_text() -> None:
    assert analyse("我喜歡披薩，討厭青花菜") == analyse("我喜欢披萨，讨厌青花菜")  # Traditional = Simplified
    assert {"食物", "偏好"} <= set(analyse("食物偏好"))
    assert {"john", "openai", "工作", "sarah", "朋友"} <= set(analyse("John 在 OpenAI 工作，並且是 Sarah 的朋友"))
    assert analyse("ＡＢＣ１２３ working") == ["abc123", "work"]  # full-width folded, English stemmed
    assert "서울" in analyse("저는 서울에 살아요")


NOW = datetime(2024, 6, 15, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize(("query", "start", "end"), [
    ("我昨天做了什麼", "2024-06-14", "2024-06-15"),
    ("上週去了哪裡", "2024-06-03", "2024-06-10"),
    ("上周", "2024-06-03", "2024-06-10"),
    ("上個月搬家了嗎", "2024-05-01", "2024-06-01"),
    ("去年的旅行", "2023-01-01", "2024-01-01"),
    ("三天前說的", "2024-06-12", "2024-06-13"),
    ("5月2日那天", "2024-05-02", "2024-05-03"),
    ("2023年5月", "2023-05-01", "2023-06-01"),
    ("兩個月前", "2024-04-01", "2024-05-01"),
    ("自從去年以來", "2023-01-01", None),
    ("2022年之前", None, "2022-01-01"),
])
def test_chinese_time_cues(query: str, start: str | None, end: str | None) -> None:
    window = time_window(query, NOW)
    assert window is not None
    assert (window.start.date().isoformat() if window.start else None) == start
    assert (window.end.date().isoformat() if window.end else None) == end
