"""Scores mean what they say: a relevance comparable across queries (search/calibrate), with `Memory()`'s
default embedder, in English and Chinese, on stores of 100+ memories of companion chats (bench/companion)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmem import Memory

pytestmark = pytest.mark.slow
CHATS = Path(__file__).resolve().parents[2] / "bench" / "companion"
CASES = {
    "en": {"fact": "I have been learning to play the cello since last spring.",
           "paraphrase": "Since last spring I've been taking up the cello.",
           "unrelated": ["quantum chromodynamics", "How do I configure a Kubernetes ingress controller?",
                         "What is the boiling point of tungsten?"]},
    "zh": {"fact": "我從去年春天開始學拉大提琴。",
           "paraphrase": "去年春天起我就在學大提琴了",
           "unrelated": ["量子色動力學", "如何設定 Kubernetes 的 ingress？", "鎢的沸點是多少？"]},
}


@pytest.fixture(scope="module")
def memory() -> Iterator[Memory]:
    with Memory({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}}) as mem:
        yield mem


def filled(memory: Memory, lang: str) -> str:
    """A scope of 100+ memories: the turns of two companion chats, and the case's fact."""
    user = f"scores-{lang}"
    texts = [turn["text"] for path in sorted((CHATS / lang).glob("*.json"))[:3]
             for key, turns in json.loads(path.read_text("utf-8")).items()
             if key.startswith("session_") and isinstance(turns, list) for turn in turns]
    memory.add([{"role": "user", "content": t} for t in texts] + [{"role": "user", "content": CASES[lang]["fact"]}],
               user_id=user, infer=False)
    assert len(memory.get_all(user_id=user, limit=1000)["results"]) >= 100
    return user


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_paraphrase_scores_high_and_an_unrelated_query_low(memory: Memory, lang: str) -> None:
    user = filled(memory, lang)
    found = memory.search(CASES[lang]["paraphrase"], user_id=user, limit=5)["results"]
    assert found[0]["memory"] == CASES[lang]["fact"]
    assert found[0]["score"] > 0.8
    for query in CASES[lang]["unrelated"]:
        best = memory.search(query, user_id=user, limit=5)["results"]
        assert max(r["score"] for r in best) < 0.5, query
    # threshold is absolute: the unrelated query keeps nothing, the paraphrase its memory
    assert memory.search(CASES[lang]["unrelated"][0], user_id=user, threshold=0.5)["results"] == []
    kept = memory.search(CASES[lang]["paraphrase"], user_id=user, threshold=0.8)["results"]
    assert CASES[lang]["fact"] in [r["memory"] for r in kept]
