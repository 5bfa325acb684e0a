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


def test_the_fused_order_is_kept_and_each_score_is_its_own_relevance() -> None:
    fused = {"a": 1.0, "b": 0.8, "c": 0.5}  # b is the best vector match, c a keyword-only hit
    scale = scale_of("local multilingual-e5-small q4")
    scores = calibrated(fused, {"a": 0.80, "b": 0.90}, scale)
    assert list(scores) == ["a", "b", "c"]
    assert scores["a"] == relevance(0.80, scale) < 0.2  # ranked first by other signals, but far in meaning
    assert scores["b"] > 0.95
    assert scores["c"] == scores["b"] * 0.5**3  # no cosine: the best relevance times its fused share, cubed


def test_an_unanswerable_query_scores_low() -> None:
    scores = calibrated({"a": 1.0, "b": 0.9}, {"a": 0.80, "b": 0.79}, scale_of("local multilingual-e5-small q4"))
    assert max(scores.values()) < 0.5
