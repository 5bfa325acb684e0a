"""Bounded work: a message or update text over `max_message_chars` is refused before any work, naming
the field; the infer=False linker reads names in one pass (its timings are in bench/bounded.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory
from graphmem.errors import ConfigError, ValidationError
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.linker import link_message
from graphmem.models import Message


def config(path: Path | str, **extra: Any) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"},
            **extra}


def test_a_megabyte_message_is_refused_naming_the_field_and_nothing_is_written(memory: Memory) -> None:
    huge = "Alice went to Paris. " * 50_000  # ~1 MB
    for messages in (huge, {"role": "user", "content": huge}, [{"role": "user", "content": "hi"},
                                                                 {"role": "user", "content": huge}]):
        with pytest.raises(ValidationError) as caught:
            memory.add(messages, user_id="u", infer=False)
        assert caught.value.field == "messages"
    assert memory.get_all(user_id="u")["results"] == []


def test_an_update_text_over_the_limit_is_refused_and_the_memory_kept(memory: Memory) -> None:
    memory_id = memory.add("Alice likes tea", user_id="u", infer=False)["results"][0]["id"]
    with pytest.raises(ValidationError) as caught:
        memory.update(memory_id, "x" * 100_001)
    assert caught.value.field == "text"
    assert memory.get(memory_id)["memory"] == "Alice likes tea"  # type: ignore[index]


def test_a_query_over_the_limit_is_refused(memory: Memory) -> None:
    with pytest.raises(ValidationError) as caught:
        memory.search("where? " * 20_000, user_id="u")
    assert caught.value.field == "query"


def test_the_limit_is_configurable() -> None:
    with Memory(config(":memory:", max_message_chars=20)) as memory:
        assert memory.add("a" * 20, user_id="u", infer=False)["results"]
        with pytest.raises(ValidationError):
            memory.add("a" * 21, user_id="u", infer=False)


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ConfigError) as caught:
        Memory(config(":memory:", max_message_chars=0))
    assert caught.value.field == "max_message_chars"


@pytest.mark.parametrize(("text", "names"), [
    ("Went to Paris with Bob. Thinking of Carol.", ["Paris", "Bob", "Thinking of Carol"]),
    ('She said "Hello Joe" and (Maria) left.', ["Joe", "Maria"]),  # "Hello" is a common word
    ("  Dave called. Really? Emma!", ["Dave", "Emma"]),
])
def test_the_linker_finds_the_same_names_in_one_pass(text: str, names: list[str]) -> None:
    found = [e.name for e in link_message(Message(role="user", content=text), ExtractionContext())]
    assert found == names


def test_a_long_message_links_its_names_once_each() -> None:
    text = "Alice went to Paris with Bob. Then they met Carol in Berlin. " * 1_600  # ~100k characters
    found = [e.name for e in link_message(Message(role="user", content=text), ExtractionContext())]
    assert found == ["Alice", "Paris", "Bob", "Carol", "Berlin"]


def test_an_add_bigger_than_a_write_run_is_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kuzu writes an add's new memories in runs (episode/add, then episode/add_more under the same
    episode), and the loaded scopes take them in steps after the commit: with runs and steps of 2, nothing
    is lost or cut."""
    import asyncio

    from graphmem import AsyncMemory
    from graphmem.backends import kuzu_writes
    from graphmem.inprocess import scopes

    sys.path.insert(0, str(Path(__file__).parent))
    from invariants import broken

    monkeypatch.setattr(kuzu_writes, "MEMORIES_PER_RUN", 2)
    monkeypatch.setattr(scopes, "ROWS_PER_STEP", 2)
    monkeypatch.setattr(kuzu_writes, "ROWS_PER_STEP", 2)  # the loaded scopes' update after the commit, in steps
    story = ("Alice works at Acme in Berlin. Bob lives in Paris with his sister Carol. Alice likes green tea. "
             "Carol plays the violin in an orchestra. Bob adopted a dog named Rex. Alice visited Rome in May. "
             "Dave teaches chemistry at a school in Lyon.")
    turns = [{"role": "user", "content": f"Note {i}: Erin planted tree number {i} in Oslo."} for i in range(5)]

    async def main() -> None:
        memory = AsyncMemory(config(tmp_path / "db"))
        try:
            await memory.search("warm the loaded scope", user_id="u")
            one = (await memory.add(story, user_id="u"))["results"]
            many = (await memory.add(turns, user_id="u", infer=False))["results"]
            assert len(one) >= 5 and len(many) == 5
            stored = {m["id"]: m["memory"] for m in (await memory.get_all(user_id="u"))["results"]}
            assert stored == {m["id"]: m["memory"] for m in one + many}
            for item in one + many:
                assert [h["event"] for h in await memory.history(item["id"])] == ["ADD"]
                found = await memory.search(item["memory"], user_id="u", limit=3)
                assert item["id"] in [hit["id"] for hit in found["results"]]
            assert await broken(memory) == {}
        finally:
            await memory.close()

    asyncio.run(main())
