"""The offline graph stays true on every backend: a single-valued relation stated anew supersedes the
memory that held the old value (relation/single_valued), update() ends the relations its new text no
longer states, and the entity list shows only current entities (graph/entities_listed)."""

from __future__ import annotations

from typing import Any

from graphmem import Memory


def triples(relations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


def test_a_move_and_an_update_keep_the_graph_true(mem: Memory) -> None:
    [berlin] = mem.add("I live in Berlin.", user_id="alice")["results"]
    moved = mem.add("I moved to Paris.", user_id="alice")["results"]
    assert [(r["memory"], r["event"]) for r in moved] == [("I moved to Paris.", "ADD"), ("I live in Berlin.", "DELETE")]
    assert [h["event"] for h in mem.history(berlin["id"])] == ["ADD", "DELETE"]

    [job] = mem.add("I work at Google.", user_id="alice")["results"]
    mem.update(job["id"], "I work at Microsoft.")
    assert triples(mem.get_all(user_id="alice")["relations"]) == {
        ("alice", "lives_in", "Paris"), ("alice", "works_at", "Microsoft")}
    assert [r["memory"] for r in mem.get_all(user_id="alice")["results"]] == ["I work at Microsoft.",
                                                                              "I moved to Paris."]
    assert {e["name"] for e in mem.entities(user_id="alice")} == {"alice", "Paris", "Microsoft"}
