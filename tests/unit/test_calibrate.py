"""The caller's score: a relevance on the embedder's own scale, in the fused order, never rising."""

from __future__ import annotations

from graphmem.search.calibrate import calibrated, relevance, scale_of


def test_each_embedder_has_its_scale() -> None:
    e5 = scale_of("local multilingual-e5-small q4", "Where do I live?")
    assert relevance(0.80, e5) < 0.2 < 0.9 < relevance(0.88, e5)
    assert scale_of("local multilingual-e5-small q4", "我住在哪裡？") != e5  # Chinese pairs run higher
    minilm = scale_of("local all-MiniLM-L6-v2 int8")
    assert relevance(0.15, minilm) < 0.1 and relevance(0.7, minilm) > 0.9
    assert scale_of("openai text-embedding-3-small") == scale_of("anything else")


def test_the_fused_order_is_kept_and_scores_never_rise() -> None:
    fused = {"a": 1.0, "b": 0.8, "c": 0.5}  # b is the best vector match, c a keyword-only hit
    scores = calibrated(fused, {"a": 0.80, "b": 0.90}, scale_of("local multilingual-e5-small q4"))
    assert list(scores) == ["a", "b", "c"]
    assert scores["a"] >= scores["b"] >= scores["c"]
    assert scores["a"] > 0.9  # the store answers the query: the first hit carries the best relevance
    assert 0.4 < scores["c"] < scores["b"]  # a hit without a vector score keeps its fused share of it


def test_an_unanswerable_query_scores_low() -> None:
    scores = calibrated({"a": 1.0, "b": 0.9}, {"a": 0.80, "b": 0.79}, scale_of("local multilingual-e5-small q4"))
    assert max(scores.values()) < 0.5
