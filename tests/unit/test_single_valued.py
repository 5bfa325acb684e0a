"""Which relations hold one value at a time, and which values conflict (ingest/single_valued; pure)."""

from __future__ import annotations

import pytest

from graphmem.ingest.single_valued import Stated, contradicted, stated


@pytest.mark.parametrize(("triple", "kind", "subject", "value"), [
    (("alice", "lives_in", "New York City"), "home", "alice", "new york city"),
    (("alice", "works_for", "Microsoft"), "employer", "alice", "microsoft"),
    (("alice", "is", "software engineer"), "job", "alice", "software engineer"),
    (("alice", "is", "軟體工程師"), "job", "alice", "软体工程师"),
    (("alice", "is", "vegan"), "diet", "alice", "vegan"),
    (("alice", "is", "單身"), "relationship", "alice", "single"),
    (("Anna", "wife_of", "alice"), "relationship", "alice", "married"),
    (("alice", "name", "Bobby"), "name", "alice", "bobby"),
])
def test_single_valued_relations(triple: tuple[str, str, str], kind: str, subject: str, value: str) -> None:
    found = stated(*triple)
    assert found is not None and (found.kind, found.subject, found.value) == (kind, subject, value)


@pytest.mark.parametrize("triple", [("alice", "likes", "Paris"), ("alice", "is", "tired"), ("alice", "is", "mother"),
                                    ("alice", "friend_of", "Anna"), ("alice", "visited", "Rome")])
def test_other_relations_hold_many_values(triple: tuple[str, str, str]) -> None:
    assert stated(*triple) is None


def test_relationships_conflict_by_status_or_partner() -> None:
    married = Stated("alice", "relationship", "married")
    assert not married.conflicts(Stated("alice", "relationship", "married", "anna"))
    assert married.conflicts(Stated("alice", "relationship", "divorced"))
    anna, beth = Stated("alice", "relationship", "dating", "anna"), Stated("alice", "relationship", "dating", "beth")
    assert anna.conflicts(beth)


def test_a_stored_value_the_add_states_again_is_not_contradicted() -> None:
    new = [Stated("u", "home", "berlin", fact="f"), Stated("u", "home", "paris", fact="f")]
    stored = [(Stated("u", "home", "berlin"), "m1"), (Stated("u", "home", "rome"), "m2"),
              (Stated("v", "home", "rome"), "m3")]
    assert contradicted(new, stored) == {"m2": "f"}
