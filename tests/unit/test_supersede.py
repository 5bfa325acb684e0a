"""Contradictions in time order (graphmem/ingest/timeline.py, supersede.py) and an UPDATE's times: pure."""

from __future__ import annotations

from typing import Any

import pytest

from graphmem.ingest.history import last_said_again
from graphmem.ingest.plan import EntityTable, NewMemory, Replacement, replace_statements
from graphmem.ingest.supersede import (
    Contradiction,
    contradiction_statements,
    end_history_relations,
    relations_ending,
)
from graphmem.ingest.timeline import latest, supersedes

T2023 = "2023-01-01T00:00:00.000000+00:00"
T2024 = "2024-06-01T00:00:00.000000+00:00"
T2025 = "2025-03-01T00:00:00.000000+00:00"
NEW = NewMemory(text="alex lives in Paris", embedding=[1.0, 0.0], entity_names=["alex", "Paris"], id="new")


def stored(**times: str | None) -> dict[str, Any]:
    return {"id": "old", "text": "alex lives in Berlin", "user_id": "alex", "agent_id": None, "run_id": None,
            "created_at": T2024, "updated_at": None, "valid_at": T2024, **times}


def test_the_later_said_fact_holds_and_a_tie_goes_to_the_new_one() -> None:
    assert supersedes(T2025, T2024) and supersedes(T2024, T2024) and not supersedes(T2023, T2024)
    assert supersedes(T2023, None)  # no known start: anything ends it
    assert not supersedes(T2023, "2024-01-01") and supersedes(T2025, "2024-01-01")  # the model's dates compare too


def test_latest_compares_instants_and_keeps_the_text() -> None:
    assert latest(T2023, None, "2024-01-01", T2024) == T2024
    assert latest("2024-07-01", T2024) == "2024-07-01"
    with pytest.raises(ValueError):
        latest(None, "")


def test_a_newer_fact_supersedes_the_stored_memory() -> None:
    contradiction = Contradiction(NEW, stored(), T2025)
    assert not contradiction.late and contradiction.ends_at == T2025
    invalidate, create, link = contradiction_statements(contradiction, [{"id": "e1", "memory_id": "old"}])
    assert (invalidate.name, invalidate.params) == ("memory/invalidate",
                                                    {"id": "old", "invalid_at": T2025, "updated_at": T2025})
    [event] = create.params["rows"]
    assert (event["memory_id"], event["event"], event["old_text"], event["new_text"], event["created_at"],
            event["seq"]) == ("old", "DELETE", "alex lives in Berlin", "alex lives in Paris", T2025, 1)
    assert link.params["rows"] == [{"id": event["id"], "memory_id": "old"}]


def test_an_older_fact_is_stored_as_history_ending_when_the_stored_memory_began() -> None:
    contradiction = Contradiction(NEW, stored(), T2023)
    assert contradiction.late and contradiction.ends_at == T2024
    invalidate, create, link = contradiction_statements(contradiction, [{"id": "e1", "memory_id": "old"}])
    assert invalidate.params == {"id": "new", "invalid_at": T2024, "updated_at": T2024}
    [event] = create.params["rows"]
    assert (event["memory_id"], event["event"], event["old_text"], event["new_text"], event["created_at"]) == (
        "new", "DELETE", "alex lives in Paris", "alex lives in Berlin", T2024)
    assert link.params["rows"] == [{"id": event["id"], "memory_id": "new"}]


def test_a_fact_said_before_the_stored_memorys_last_update_is_history_until_that_update() -> None:
    """The memory was said in 2023 and refined in 2025: a fact said in 2024 does not end it (that would
    date its end before its update and end the later-said text); it holds until the update."""
    contradiction = Contradiction(NEW, stored(created_at=T2023, valid_at=T2023, updated_at=T2025), T2024,
                                  said_again=T2025)
    assert contradiction.late and contradiction.ends_at == T2025
    invalidate, create, _ = contradiction_statements(contradiction, [])
    assert invalidate.params == {"id": "new", "invalid_at": T2025, "updated_at": T2025}
    assert (create.params["rows"][0]["created_at"], create.params["rows"][0]["new_text"]) == (
        T2025, "alex lives in Berlin")


def test_a_manual_edit_is_no_saying_and_decides_nothing() -> None:
    """Only an add's UPDATE (its event has the message's role) dates the memory's last saying."""
    events = [{"memory_id": "old", "event": "ADD", "role": "user", "created_at": T2023},
              {"memory_id": "old", "event": "UPDATE", "role": None, "created_at": T2025},  # update(): an edit
              {"memory_id": "old", "event": "UPDATE", "role": "user", "created_at": T2024}]
    assert last_said_again(events) == T2024 and last_said_again(events[:2]) is None
    edited = Contradiction(NEW, stored(created_at=T2023, valid_at=T2023, updated_at=T2025), T2024)
    assert not edited.late and edited.ends_at == T2024


def test_a_fact_said_after_the_last_update_supersedes_at_its_own_time() -> None:
    contradiction = Contradiction(NEW, stored(created_at=T2023, valid_at=T2023, updated_at=T2024), T2025)
    invalidate, create, _ = contradiction_statements(contradiction, [])
    assert invalidate.params == {"id": "old", "invalid_at": T2025, "updated_at": T2025}
    assert create.params["rows"][0]["created_at"] == T2025


def test_valid_at_is_the_start_and_created_at_stands_in_for_it() -> None:
    assert Contradiction(NEW, stored(valid_at=None), T2023).began == T2024


def test_only_relations_that_began_by_then_are_ended() -> None:
    rows = [{"id": "r1", "valid_at": T2023}, {"id": "r2", "valid_at": T2025}, {"id": "r3", "valid_at": T2024}]
    assert relations_ending(rows, T2024) == ["r1", "r3"]


def test_a_history_memorys_new_relations_end_with_it_and_none_is_current() -> None:
    history = Contradiction(NEW, stored(), T2023)
    other = Contradiction(NewMemory(text="x", embedding=[0.0], entity_names=[], id="other"), stored(id="o2"), T2025)
    entities = EntityTable(ids={"alex": "e-alex", "paris": "e-paris", "rome": "e-rome"})
    relations = [{"id": "r1", "memory_id": "new", "valid_at": T2023, "invalid_at": None},
                 {"id": "r2", "memory_id": "new", "valid_at": T2025, "invalid_at": None},  # never held
                 {"id": "r3", "memory_id": "other", "valid_at": T2025, "invalid_at": None},
                 {"id": "r4", "memory_id": None, "valid_at": T2023, "invalid_at": None},  # names both ends
                 {"id": "r5", "memory_id": None, "valid_at": T2023, "invalid_at": None}]  # names Rome: not new's
    for row, ends in zip(relations, [("alex", "paris")] * 4 + [("alex", "rome")], strict=True):
        row["source_id"], row["target_id"] = (entities.ids[name] for name in ends)
    end_history_relations(relations, [history, other], [other.memory, NEW], entities)
    assert [r["invalid_at"] for r in relations] == [T2024, T2025, None, T2024, None]
    assert [r["memory_id"] for r in relations] == ["new", "new", "other", "new", None]


@pytest.mark.parametrize(("now", "updated_at", "expected"), [(T2023, None, T2024), (T2025, None, T2025),
                                                              (T2023, T2025, T2025)])
def test_an_update_keeps_created_and_valid_at_and_never_dates_itself_earlier(now: str, updated_at: str | None,
                                                                             expected: str) -> None:
    row = {**stored(updated_at=updated_at), "metadata": "{}", "memory_type": None}
    replacement = Replacement(row=row, memory=NewMemory(text="alex lives in Berlin Mitte", embedding=[1.0],
                                                        entity_names=[], id="old"), event_ids=["e1"])
    statements = {s.name: s.params for s in replace_statements(replacement, now, [], [])}
    created = statements["memory/create"]
    assert (created["created_at"], created["valid_at"], created["updated_at"]) == (T2024, T2024, expected)
    assert statements["event/create"]["rows"][0]["created_at"] == expected


def test_a_relation_of_no_memory_prefers_a_history_fact_and_ends_when_all_the_add_is_history() -> None:
    entities = EntityTable(ids={"alex": "e-alex", "paris": "e-paris", "rome": "e-rome"})
    current = NewMemory(text="alex was in Paris", embedding=[0.0], entity_names=["alex", "Paris"], id="current")
    history = Contradiction(NEW, stored(), T2023)

    def unowned(target: str) -> dict[str, Any]:
        return {"id": target, "memory_id": None, "valid_at": T2023, "invalid_at": None,
                "source_id": "e-alex", "target_id": entities.ids[target]}

    relations = [unowned("paris"), unowned("rome")]
    end_history_relations(relations, [history], [current, NEW], entities)  # the first naming both is current
    assert [(r["memory_id"], r["invalid_at"]) for r in relations] == [("new", T2024), (None, None)]
    relations = [unowned("rome")]
    end_history_relations(relations, [history], [NEW], entities)  # every fact of the add is history
    assert [(r["memory_id"], r["invalid_at"]) for r in relations] == [(None, T2024)]
