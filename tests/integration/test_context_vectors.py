"""A verbatim message is embedded also read after the two said before it (ingest/context.py): a reply that
does not name its topic is found through the question before it; the context stops at a pause in the
conversation, survives a reopen and an export, and goes with an update of the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmem import Memory
from graphmem.ingest.context import CONTEXT_CHARS, MAX_TEXT_CHARS, Said, context_text, contexts_of
from graphmem.models import Message

DECOY = "Carol: The twins slept all day."
QUESTION = "Alice: Did you take the kids to the aquarium on Sunday?"
REPLY = "Bob: Yes, they loved every minute of it."
QUERY = "kids aquarium Sunday"
T0 = 1_700_000_000  # Unix seconds


def config(path: Path, search: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    # Vector similarity alone decides (hash embedder: words and trigrams), so the test shows the context.
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"},
            "search": {"weights": {"vector": 1.0, "keyword": 0.0, "graph": 0.0, "feedback": 0.0, "named": 0.0,
                                   "time": 0.0, "list": 0.0},
                       "context_weight": 0.0, "question_weight": 1.0, "other_speaker_weight": 1.0, **(search or {})},
            **extra}


def found(memory: Memory, limit: int = 3) -> list[str]:
    return [r["memory"] for r in memory.search(QUERY, user_id="u", limit=limit)["results"]]


def contexts(memory: Memory) -> dict[str, bool]:
    """Which memories have a context vector, by text."""
    rows = memory.export(user_id="u", embeddings=True)["memories"]
    return {r["text"]: r.get("context_embedding") is not None for r in rows}


def add_turns(memory: Memory, *turns: str, start: int = T0) -> None:
    for i, turn in enumerate(turns):
        memory.add(turn, user_id="u", infer=False, timestamp=start + 60 * i)


def test_a_reply_is_found_through_the_question_before_it_after_a_reopen_too(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, DECOY, QUESTION, REPLY)
        assert found(memory) == [QUESTION, REPLY, DECOY]
    with Memory(config(tmp_path / "db")) as memory:
        assert found(memory) == [QUESTION, REPLY, DECOY]
    with Memory(config(tmp_path / "db", search={"context_vector_weight": 0.0})) as memory:
        assert found(memory)[1:] == [DECOY, REPLY]  # by its own words alone the reply says nothing of it


def test_the_first_message_and_one_after_a_pause_have_no_context(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, DECOY, QUESTION)
        add_turns(memory, REPLY, start=T0 + 6 * 3600)  # hours later: another conversation
        assert contexts(memory) == {DECOY: False, QUESTION: True, REPLY: False}


def test_messages_of_one_add_lend_context_to_the_later_ones(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        memory.add([{"role": "system", "content": "Be kind."}, {"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": REPLY}], user_id="u", infer=False)
        assert contexts(memory) == {QUESTION: False, REPLY: True}
        assert found(memory, 2) == [QUESTION, REPLY]


def test_turned_off_no_context_is_embedded(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db", context_vectors=False)) as memory:
        add_turns(memory, DECOY, QUESTION, REPLY)
        assert not any(contexts(memory).values())


def test_an_export_carries_the_contexts_and_an_update_of_the_text_drops_its_own(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "a")) as memory:
        add_turns(memory, DECOY, QUESTION, REPLY)
        snapshot = memory.export(user_id="u", embeddings=True)
        assert "context_embedding" not in memory.export(user_id="u")["memories"][0]
    with Memory(config(tmp_path / "b")) as memory:
        memory.import_(snapshot)
        assert found(memory) == [QUESTION, REPLY, DECOY]
        reply = next(r for r in memory.get_all(user_id="u")["results"] if r["memory"] == REPLY)
        memory.update(reply["id"], "Bob: Yes, they loved every single minute.")
        assert contexts(memory)["Bob: Yes, they loved every single minute."] is False


def test_notes_one_speaker_adds_one_after_another_have_no_context(tmp_path: Path) -> None:
    car, job = "My car is a blue Tesla", "I work as a nurse in Boston"
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, car, job)
        memory.add([{"role": "user", "content": "I love pizza"}, {"role": "user", "content": "I climb"}],
                   user_id="u", infer=False, timestamp=T0 + 300)
        memory.add("Bob: Hi!", user_id="u", infer=False, timestamp=T0 + 400)  # another speaker: a conversation
        assert contexts(memory) == {car: False, job: False, "I love pizza": False, "I climb": False,
                                    "Bob: Hi!": True}


def test_context_text_bounds() -> None:
    def said(*texts: str) -> list[Said]:
        return [Said.of("user", None, t) for t in texts]

    assert context_text([], said("Hi")[0]) is None
    assert context_text(said("A: a", "B: b", "A: c"), said("B: d")[0]) == "B: b\nA: c\nB: d"  # the two before
    assert context_text(said("B: " + "x" * 5000), said("A: d")[0]) == ("B: " + "x" * 5000)[:CONTEXT_CHARS] + "\nA: d"
    assert context_text(said("B: a"), said("A: " + "y" * MAX_TEXT_CHARS)[0]) is None  # a document: no context
    assert context_text(said("A: a", "A: b"), said("a: c")[0]) is None  # one speaker's notes
    spoken = [Message(role="user", content="one"), Message(role="assistant", content="two"),
              Message(role="assistant", content="three", name="Tom")]
    assert contexts_of(["one", "two", "three"], spoken, [Said.of("assistant", None, "zero")]) == [
        "zero\none", "zero\none\ntwo", "one\ntwo\nthree"]
