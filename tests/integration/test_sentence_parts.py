"""A memory's sentences have their own vectors (ingest/parts.py): a query that one sentence of a long
message answers finds that message, after a reopen too; an update re-makes them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np

from graphmem import Memory
from graphmem.config import HashEmbedder
from graphmem.ingest.parts import MAX_PARTS, PART_BLEND, blended, sentence_parts
from graphmem.providers.embedders import create_embedder

LONG = ("Bob adopted a grey cat named Pixel. Then the weather turned cold and the market closed early, "
        "the bakery ran out of rye bread, trains were delayed along the coast and everybody stayed home "
        "to watch the football final with neighbours.")
SHORT = "Bob adopted a grey dog."
QUERY = "Bob adopted a grey cat named Pixel"


def config(path: Path) -> dict[str, Any]:
    # Vector similarity alone decides (hash embedder: words and trigrams), so the test shows the parts.
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"},
            "search": {"weights": {"vector": 1.0, "keyword": 0.0, "graph": 0.0, "feedback": 0.0,
                                   "named": 0.0, "time": 0.0}}}


def first(memory: Memory) -> str:
    return str(memory.search(QUERY, user_id="u", limit=2)["results"][0]["memory"])


def test_one_sentence_of_a_long_message_finds_it_before_and_after_a_reopen(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        assert first(memory) == LONG
    with Memory(config(tmp_path / "db")) as memory:
        assert first(memory) == LONG


def test_an_update_remakes_the_parts(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        added = memory.add(LONG, user_id="u", infer=False)["results"][0]
        memory.add(SHORT, user_id="u", infer=False)
        memory.update(added["id"], "The weather turned cold. The market closed early and trains were late.")
        assert first(memory) == SHORT


def test_sentence_parts_of_a_message() -> None:
    assert sentence_parts("Maria: I went to Spain last year. It was sunny and warm there.") == [
        "Maria: I went to Spain last year.", "Maria: It was sunny and warm there."]
    assert sentence_parts("我昨天去了北京，見到了老朋友小明。我們一起吃了好吃的北京烤鴨！") == [
        "我昨天去了北京，見到了老朋友小明。", "我們一起吃了好吃的北京烤鴨！"]
    assert sentence_parts("One sentence only, however long it is.") == []
    assert sentence_parts("Fine. Thanks!") == []  # too short to say anything alone
    assert len(sentence_parts("This is sentence number one. " * 50)) == MAX_PARTS


def test_a_memory_of_several_sentences_is_stored_read_with_them(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        stored = {m["text"]: m for m in memory.export(user_id="u", embeddings=True)["memories"]}
    own_long, own_short = asyncio.run(create_embedder(HashEmbedder()).embed_texts([LONG, SHORT]))
    parts = np.reshape(stored[LONG]["parts"], (-1, len(own_long)))  # stored flat, one sentence after another
    assert len(parts) == 2
    mean = np.sum(parts, axis=0) / np.linalg.norm(np.sum(parts, axis=0))
    expected = np.asarray(own_long) + PART_BLEND * mean
    assert np.allclose(stored[LONG]["embedding"], expected / np.linalg.norm(expected), atol=1e-5)
    assert np.allclose(stored[SHORT]["embedding"], own_short, atol=1e-6)  # one sentence: its own vector


def test_blended_is_the_unit_sum_of_the_whole_and_its_sentences_mean() -> None:
    assert blended([1.0, 0.0, 0.0], []) == [1.0, 0.0, 0.0]
    mixed = blended([1.0, 0.0, 0.0], [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    assert np.allclose(mixed, np.asarray([1.0, PART_BLEND, 0.0]) / np.hypot(1.0, PART_BLEND))


def test_sentence_vectors_can_be_turned_off(tmp_path: Path) -> None:
    with Memory({**config(tmp_path / "db"), "sentence_vectors": False}) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        assert first(memory) == SHORT
        stored = {m["text"]: m for m in memory.export(user_id="u", embeddings=True)["memories"]}
    [own] = asyncio.run(create_embedder(HashEmbedder()).embed_texts([LONG]))
    assert stored[LONG]["parts"] is None
    assert np.allclose(stored[LONG]["embedding"], own, atol=1e-6)  # the whole text's vector alone


def test_an_export_with_embeddings_carries_the_parts_into_another_store(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "a")) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        snapshot = memory.export(user_id="u", embeddings=True)
        assert "parts" not in memory.export(user_id="u")["memories"][0]
    with Memory(config(tmp_path / "b")) as memory:
        memory.import_(snapshot)
        assert first(memory) == LONG


def test_an_export_without_embeddings_gets_its_sentences_made_again(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "a")) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        stored = memory.export(user_id="u", embeddings=True)["memories"]
        snapshot = memory.export(user_id="u")
    with Memory(config(tmp_path / "b")) as memory:
        memory.import_(snapshot)
        assert first(memory) == LONG
        again = memory.export(user_id="u", embeddings=True)["memories"]
    for before, after in zip(sorted(stored, key=lambda m: m["id"]), sorted(again, key=lambda m: m["id"]), strict=True):
        assert np.allclose(before["embedding"], after["embedding"], atol=1e-6)
        assert (before["parts"] is None) == (after["parts"] is None)


def test_as_of_finds_a_superseded_memory_by_one_of_its_sentences(tmp_path: Path) -> None:
    import time
    from datetime import datetime, timezone

    import kuzu

    from graphmem.search.when import iso_utc

    with Memory(config(tmp_path / "db")) as memory:
        memory.add(LONG, user_id="u", infer=False)
        memory.add(SHORT, user_id="u", infer=False)
        then = datetime.now(timezone.utc)
    time.sleep(0.01)
    database = kuzu.Database(str(tmp_path / "db"))  # both ended since `then`, as a contradiction ends them
    kuzu.Connection(database).execute("MATCH (m:Memory) SET m.invalid_at = $now",
                                      {"now": iso_utc(datetime.now(timezone.utc))})
    database.close()
    with Memory(config(tmp_path / "db")) as memory:
        assert memory.search(QUERY, user_id="u")["results"] == []
        found = memory.search(QUERY, user_id="u", limit=2, as_of=then)["results"]
        assert [r["memory"] for r in found][:1] == [LONG]
