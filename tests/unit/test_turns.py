"""A message's form as an answer: whether it only asks, who says it, and the discounts that follow."""

from __future__ import annotations

import pytest

from graphmem.search.turns import asks, discounted, speaker


@pytest.mark.parametrize(("text", "expected"), [
    ("Caroline: What's your best camping memory?", True),
    ("Mel: Did you go? [shares a photo: a lake at dawn]", True),
    ("Caroline: I went camping? No, hiking. It was great.", False),
    ("Melanie: We camped at the beach.", False),
    ("", False),
])
def test_a_message_asks_when_it_ends_in_a_question(text: str, expected: bool) -> None:
    assert asks(text) is expected


def test_the_speaker_is_the_normalised_name_tag() -> None:
    assert speaker("Mary Ann: I moved from Sweden.") == "mary ann"
    assert speaker("I moved from Sweden.") is None


SCORES = {"asks": 0.8, "hers": 0.6, "his": 0.6, "untagged": 0.4, "unread": 0.2}
TEXTS = {"asks": "Caroline: Where did you camp, Melanie?", "hers": "Melanie: At the beach.",
         "his": "Caroline: I camped in the forest.", "untagged": "camping gear list"}


def test_a_question_and_the_other_speaker_are_discounted() -> None:
    scores = discounted(SCORES, TEXTS, {"where", "has", "melanie", "camped"}, 0.5, 0.5)
    assert scores["asks"] == pytest.approx(0.8 * 0.5 * 0.5)  # asks, and Caroline is not asked about
    assert scores["his"] == pytest.approx(0.3)
    assert (scores["hers"], scores["untagged"], scores["unread"]) == (0.6, 0.4, 0.2)


def test_no_speaker_discount_unless_the_query_names_a_speaker_of_the_hits() -> None:
    assert discounted(SCORES, TEXTS, {"where", "camped"}, 1.0, 0.5) == SCORES
    both = discounted(SCORES, TEXTS, {"caroline", "melanie"}, 1.0, 0.5)
    assert both == SCORES


def test_a_speaker_is_named_by_their_first_name_too() -> None:
    texts = {"hers": "Mary Ann: I paint.", "his": "Jon Baker: I dance."}
    scores = discounted({"hers": 1.0, "his": 1.0}, texts, {"what", "does", "jon", "do"}, 1.0, 0.5)
    assert scores == {"hers": 0.5, "his": 1.0}
