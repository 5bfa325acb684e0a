"""Memory() with no configuration, in the seed's language and others: the default multilingual embedder,
the offline Chinese extractor and CJK keyword search together, on real Kuzu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmem import Memory

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    """`Memory()` as a new user gets it: only the store's place differs (GRAPHMEM_DIR is a temp dir)."""
    with Memory() as memory:
        yield memory


def test_the_seeds_quick_start_in_chinese(default_memory: Memory) -> None:
    default_memory.add([{"role": "user", "content": "我喜歡披薩，討厭青花菜"},
                        {"role": "assistant", "content": "我會記住您的食物偏好！"}], user_id="zh-quick")
    found = default_memory.search("食物偏好", user_id="zh-quick")["results"]
    assert found[0]["memory"] == "我喜歡披薩，討厭青花菜"
    assert found[0]["user_id"] == "zh-quick"
    relations = {(r["source"], r["relationship"], r["target"])
                 for r in default_memory.get_all(user_id="zh-quick")["relations"]}
    assert relations == {("zh-quick", "likes", "披薩"), ("zh-quick", "hates", "青花菜")}


def test_the_seeds_graph_example_in_chinese(default_memory: Memory) -> None:
    added = default_memory.add("John 在 OpenAI 工作，並且是 Sarah 的朋友", user_id="zh-graph")
    pairs = {(r["source"], r["target"]) for r in added["relations"]["added_entities"]}
    assert {("John", "OpenAI"), ("John", "Sarah")} <= pairs
    found = default_memory.search("John 在哪裡工作？", user_id="zh-graph")
    assert {(r["source"], r["target"]) for r in found["relations"]} >= {("John", "OpenAI")}


# One short personal fact per language and script, and a paraphrase asking for it (few shared words).
FACTS = {
    "zh-Hant": ("我養了一隻叫小白的貓。", "我的寵物叫什麼名字？"),
    "zh-Hans": ("我在上海的一家银行当会计。", "我是做什么工作的？"),
    "ja": ("私は毎朝ジョギングをしています。", "朝はどんな運動をしていますか？"),
    "ko": ("저는 매운 음식을 정말 좋아해요.", "제가 좋아하는 음식은 뭐예요?"),
    "ru": ("Моя сестра живёт в Новосибирске.", "В каком городе живёт моя сестра?"),
    "ar": ("أعمل طبيبا في مستشفى في القاهرة.", "في أي مدينة أعمل طبيبا؟"),
    "es": ("Mi perro se llama Toby y tiene cinco años.", "¿Cómo se llama mi mascota?"),
    "de": ("Ich spiele seit zehn Jahren Geige.", "Welches Instrument spiele ich?"),
    "en": ("I am allergic to peanuts.", "Which nuts give me an allergic reaction?"),
    "fr": ("Je vais épouser Claire en juin.", "Avec qui vais-je me marier ?"),
}


def test_a_fact_in_each_language_is_found_by_a_paraphrase(default_memory: Memory) -> None:
    for fact, _ in FACTS.values():
        assert default_memory.add(fact, user_id="polyglot")["results"], fact  # nothing dropped
    missed = {}
    for language, (fact, question) in FACTS.items():
        found = default_memory.search(question, user_id="polyglot", limit=3)["results"]
        if not found or found[0]["memory"] != fact:
            missed[language] = found[0]["memory"] if found else None
    assert missed == {}


def test_a_store_written_by_the_old_default_keeps_minilm(tmp_path: Path) -> None:
    minilm = {"provider": "local", "config": {"model": "all-MiniLM-L6-v2"}}
    store = {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}}
    with Memory({"graph_store": store, "embedder": minilm}) as old:
        old.add("I live in Berlin.", user_id="u", infer=False)
    with Memory({"graph_store": store}) as reopened:  # the default embedder, no warning expected
        assert reopened.search("Where do I live?", user_id="u")["results"][0]["memory"] == "I live in Berlin."
        assert reopened._async.embedder.identity.startswith("local all-MiniLM-L6-v2")
