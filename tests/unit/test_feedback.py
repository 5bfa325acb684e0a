"""Pseudo-relevance feedback terms: shared content words of the top hits, minus the query's."""

from __future__ import annotations

from graphmem.search.feedback import content_words, feedback_terms


def test_speaker_tags_and_stop_words_are_not_content() -> None:
    assert content_words("Caroline: I moved from my home country, Sweden!") == ["moved", "home", "country", "sweden"]


def test_terms_shared_by_more_hits_come_first_and_query_words_are_left_out() -> None:
    texts = ["Caroline: my home country is far", "Mel: your home country, Sweden?", "Caroline: pottery class"]
    terms = feedback_terms("Where did Caroline move from?", texts)
    assert terms[:2] == ["country", "home"]
    assert "caroline" not in terms and "move" not in terms


def test_no_texts_no_terms() -> None:
    assert feedback_terms("anything", []) == []
