"""The fast infer=False linker: names from capitalisation, the speaker, I and you."""

from __future__ import annotations

import pytest

from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.linker import link_message
from graphmem.models import Message

CONTEXT = ExtractionContext(self_name="alice", agent_name="helper-bot")


def names(content: str, role: str = "user", name: str | None = None) -> list[tuple[str, str]]:
    return [(e.name, e.type) for e in link_message(Message(role=role, content=content, name=name), CONTEXT)]


def test_speaker_prefix_and_multiword_names() -> None:
    assert names("Melanie: Did you see the Bank of America tower in New York?") == [
        ("Melanie", "person"), ("Bank of America", "thing"), ("New York", "thing")]


def test_first_person_is_the_user_and_second_person_the_agent() -> None:
    assert names("I told you about Berlin") == [("alice", "person"), ("helper-bot", "person"), ("Berlin", "thing")]
    assert names("Happy to help you, I think Paris is lovely", role="assistant") == [
        ("helper-bot", "person"), ("alice", "person"), ("Paris", "thing")]


@pytest.mark.parametrize("content", ["Wow, that sounds great!", "Went hiking. Thinking of you. Really!", "OK thanks",
                                     "See you on Monday in May", "hey there"])
def test_common_words_and_sentence_openers_are_not_names(content: str) -> None:
    assert [n for n, kind in names(content) if kind != "person"] == []


@pytest.mark.parametrize("content", ["Ha, that's so true!", "Hahaha yes", "Awww, so cute", "Woohoo! So happy.",
                                     "Oof. Hmm.", "Woah, really?", "Aha! Yay!", "Ugh, so tired"])
def test_interjections_are_not_names(content: str) -> None:
    assert [n for n, kind in names(content) if kind != "person"] == []


def test_names_beside_interjections_are_kept() -> None:
    assert names("Hui and Hao met Mr. Woo in Ohio") == [("Hui", "thing"), ("Hao", "thing"), ("Woo", "thing"),
                                                         ("Ohio", "thing")]
    assert names("Ha, Ben did it. Aww Nora!") == [("Ben", "thing"), ("Nora", "thing")]


def test_each_name_once_and_possessives_trimmed() -> None:
    assert names("We met Anna. Anna's dog loves Anna and The Louvre") == [("Anna", "thing"), ("Louvre", "thing")]
    assert names("John works at OpenAI") == [("John", "thing"), ("OpenAI", "thing")]
    assert names("my dog met Kim's cat") == [("alice", "person"), ("Kim", "thing")]
