"""An update that keeps a memory's text (metadata only, or the same text again) writes the metadata alone: nothing
is embedded, the memory's vectors, entities, mentions and relations stay as they were, and get, search, get_all and
history answer as mem0's do (history records an UPDATE whose old and new texts are the text, as mem0's)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from graphmem import Memory

UPDATED = {"message": "Memory updated successfully!"}
FACT = "I work at Google."


def embedded_texts(memory: Memory, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the memory's (real, hash) embedder is asked for from now on."""
    embedder = memory._async.embedder
    asked: list[str] = []
    embed_texts, embed_query = embedder.embed_texts, embedder.embed_query

    async def texts(batch: Sequence[str]) -> Any:
        asked.extend(batch)
        return await embed_texts(batch)

    async def query(text: str) -> Any:
        asked.append(text)
        return await embed_query(text)

    monkeypatch.setattr(embedder, "embed_texts", texts)
    monkeypatch.setattr(embedder, "embed_query", query)
    return asked


def graph_of(memory: Memory) -> dict[str, Any]:
    """The scope's export with its vectors, less what an update that keeps the text changes (and its events)."""
    snapshot = memory.export(user_id="alice", embeddings=True)
    for row in snapshot["memories"]:
        del row["metadata"], row["updated_at"]
    # Each part as a sorted list: the store lists rows in no set order (mentions came back either way round).
    return {part: sorted(snapshot[part], key=lambda row: json.dumps(row, sort_keys=True, default=str))
            for part in ("memories", "entities", "episodes", "relations", "mentions", "derived_from")}


def test_a_metadata_update_embeds_nothing_and_leaves_the_graph(memory: Memory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    [fact] = memory.add(FACT, user_id="alice", metadata={"src": "chat"})["results"]
    memory.add("I live in Paris.", user_id="alice")
    assert memory.search("Google", user_id="alice")["results"]  # the scope is loaded in RAM: it must follow
    before = graph_of(memory)
    asked = embedded_texts(memory, monkeypatch)
    assert memory.update(fact["id"], metadata={"topic": "work", "user_id": "mallory"}) == UPDATED
    assert memory.update(fact["id"], text=FACT, metadata={"starred": True}) == UPDATED  # the same text
    assert memory.update(fact["id"], expiration_date="2999-01-01") == UPDATED
    assert asked == []
    assert graph_of(memory) == before
    record = memory.get(fact["id"])
    assert record is not None and record["memory"] == FACT and record["user_id"] == "alice"
    assert record["metadata"] == {"src": "chat", "topic": "work", "starred": True}  # merged, as mem0
    assert record["expiration_date"] == "2999-01-01" and record["updated_at"] > record["created_at"]
    events = [(e["event"], e["old_memory"], e["new_memory"], e["role"]) for e in memory.history(fact["id"])]
    assert events == [("ADD", None, FACT, "user"), *[("UPDATE", FACT, FACT, None)] * 3]
    [found] = memory.search("Where do I work?", user_id="alice", limit=1)["results"]
    assert {k: found[k] for k in ("id", "metadata", "updated_at", "expiration_date")} == {
        k: record[k] for k in ("id", "metadata", "updated_at", "expiration_date")}
    assert [r["id"] for r in memory.get_all(user_id="alice", filters={"starred": True})["results"]] == [fact["id"]]


def test_a_new_text_is_still_embedded_and_re_derived(memory: Memory, monkeypatch: pytest.MonkeyPatch) -> None:
    [fact] = memory.add(FACT, user_id="alice")["results"]
    asked = embedded_texts(memory, monkeypatch)
    memory.update(fact["id"], "I work at Microsoft.", metadata={"topic": "work"})
    assert "I work at Microsoft." in asked
    relations = memory.get_all(user_id="alice")["relations"]
    assert {(r["source"], r["relationship"], r["target"]) for r in relations} == {("alice", "works_at", "Microsoft")}
    assert memory.get(fact["id"])["metadata"] == {"topic": "work"}


def test_only_a_new_text_the_scope_holds_is_none(memory: Memory) -> None:
    [tea] = memory.add("I like tea", user_id="alice", infer=False)["results"]
    [coffee] = memory.add("I like coffee", user_id="alice", infer=False)["results"]
    assert memory.update(tea["id"], "I like coffee")["event"] == "NONE"  # mem0's NONE: not a second copy
    assert memory.get(tea["id"])["memory"] == "I like tea"
    assert memory.update(coffee["id"], "I like coffee", metadata={"cup": 2}) == UPDATED  # its own text
    assert memory.get(coffee["id"])["metadata"] == {"cup": 2}
