"""A verbatim message is embedded also read after the two said before it (ingest/context.py): a reply that
does not name its topic is found through the question before it; the context reaches across a pause in the
conversation, survives a reopen and an export, and goes with an update of the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmem import Memory
from graphmem.ingest.context import CONTEXT_TOKENS, MAX_TEXT_TOKENS, Said, context_text, contexts_of
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


def test_the_first_message_has_no_context_and_one_after_a_pause_is_read_after_the_last_conversation(
        tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, DECOY, QUESTION)
        add_turns(memory, REPLY, start=T0 + 6 * 86400)  # days later: the last conversation's end leads into it
        assert contexts(memory) == {DECOY: False, QUESTION: True, REPLY: True}
        assert found(memory) == [QUESTION, REPLY, DECOY]


def test_a_message_said_before_the_stored_ones_gets_no_context_from_them(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, DECOY, QUESTION, start=T0 + 86400)
        add_turns(memory, REPLY, start=T0)  # imported out of order: said a day before the stored messages
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
    car, job = "My car is a blue Tesla", "Note: I work as a nurse in Boston"  # a label names nobody
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, car, job)
        memory.add([{"role": "user", "content": "I love pizza"}, {"role": "user", "content": "Reminder: climb"}],
                   user_id="u", infer=False, timestamp=T0 + 300)
        memory.add("Bob: Hi!", user_id="u", infer=False, timestamp=T0 + 400)  # named, after none: no context
        memory.add([{"role": "assistant", "content": "Hello Bob."}], user_id="u", infer=False, timestamp=T0 + 500)
        assert contexts(memory) == {car: False, job: False, "I love pizza": False, "Reminder: climb": False,
                                    "Bob: Hi!": False, "Hello Bob.": True}


def test_an_update_that_keeps_the_text_keeps_the_context(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as memory:
        add_turns(memory, DECOY, QUESTION, REPLY)
        reply = next(r for r in memory.get_all(user_id="u")["results"] if r["memory"] == REPLY)
        memory.update(reply["id"], metadata={"starred": True})
        memory.update(reply["id"], REPLY)
        assert contexts(memory)[REPLY] is True
        assert found(memory) == [QUESTION, REPLY, DECOY]


def test_context_text_bounds() -> None:
    def said(*texts: str) -> list[Said]:
        return [Said.of("user", None, t) for t in texts]

    assert context_text([], said("Hi")[0]) is None
    assert context_text(said("Ann: a", "Bob: b", "Ann: c"), said("Bob: d")[0]) == "Bob: b\nAnn: c\nBob: d"
    lent = context_text(said("Bob: " + "x " * 5000 + "why?"), said("Ann: d")[0])
    assert lent is not None and lent.endswith("why?\nAnn: d") and len(lent) < 4 * CONTEXT_TOKENS + 10  # its end
    assert context_text(said("Bob: a"), said("Ann: " + "y" * int(4 * MAX_TEXT_TOKENS))[0]) is None  # a document
    assert context_text(said("Ann: a", "Ann: b"), said("Ann: c")[0]) is None  # one speaker's turns
    assert context_text(said("Note: a", "Todo: b"), said("c")[0]) is None  # labels of one user's notes
    spoken = [Message(role="user", content="one"), Message(role="assistant", content="two"),
              Message(role="assistant", content="three", name="Tom")]
    assert contexts_of(["one", "two", "three"], spoken, [Said.of("assistant", None, "zero")]) == [
        "zero\none", "zero\none\ntwo", "one\ntwo\nthree"]


def test_as_of_ranks_current_and_superseded_memories_with_their_contexts(tmp_path: Path) -> None:
    import datetime as dt

    old = "Dave: My bicycle is red."
    when = dt.datetime.fromtimestamp(T0 + 1000, dt.timezone.utc)
    with Memory(config(tmp_path / "a")) as memory:
        memory.add(old, user_id="u", infer=False, timestamp=T0 - 86400)
        add_turns(memory, DECOY, QUESTION, REPLY)
        snapshot = memory.export(user_id="u", embeddings=True)
    for row in snapshot["memories"]:  # superseded after `when`, as a contradiction would end it
        if row["text"] == old:
            row["invalid_at"] = dt.datetime.fromtimestamp(T0 + 5000, dt.timezone.utc).isoformat()
    with Memory(config(tmp_path / "b")) as memory:
        memory.import_(snapshot)
        then = [r["memory"] for r in memory.search(QUERY, user_id="u", limit=4, as_of=when)["results"]]
        assert then[:2] == [QUESTION, REPLY] and set(then[2:]) == {DECOY, old}
