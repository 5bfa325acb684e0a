"""Reconciliation decisions (pure), the bracketed-alias rule, and as_of's validity check."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from graphmem.ingest.extract import Verdict
from graphmem.ingest.llm_extract import to_extraction
from graphmem.ingest.llm_schema import LLMExtraction
from graphmem.ingest.normalize import memory_hash
from graphmem.ingest.reconcile import Nearby, decide, settle
from graphmem.models import ExtractedFact
from graphmem.search.as_of import check_as_of, valid_then


def stored(text: str, vector: list[float]) -> dict[str, Any]:
    return {"text": text, "hash": memory_hash(text), "embedding": vector}


NEARBY = Nearby(rows={"a": stored("alex lives in Paris", [1.0, 0.0, 0.0]),
                      "b": stored("alex likes pizza", [0.0, 1.0, 0.0]),
                      "c": stored("alex plays chess", [0.0, 0.0, 1.0])},
                shown=("a", "b"))


def test_verdicts_and_similarity_decide_each_fact() -> None:
    facts = [ExtractedFact(text="alex lives in Berlin", contradicts="a"),
             ExtractedFact(text="alex likes pepperoni pizza", updates="b"),
             ExtractedFact(text="alex enjoys chess"),          # like the unshown "c": ambiguous
             ExtractedFact(text="alex plays chess!"),          # nearly "c" itself: NONE
             ExtractedFact(text="alex has a cat"),             # like nothing: ADD
             ExtractedFact(text="alex lives in Rome", contradicts="a")]  # "a" is taken already: ADD
    vectors = [[0.3, 0.1, 0.0], [0.0, 1.0, 0.2], [0.0, 0.5, 0.9], [0.0, 0.01, 1.0], [0.6, -0.6, 0.1], [0.7, 0.0, -0.7]]
    decisions = decide(facts, vectors, NEARBY)
    assert [(d.event, d.target) for d in decisions] == [("DELETE", "a"), ("UPDATE", "b"), ("ADD", None),
                                                        ("NONE", None), ("ADD", None), ("ADD", None)]
    assert [d.candidates for d in decisions] == [[], [], ["c"], [], [], []]
    settle(decisions, [Verdict("UPDATE", "c")], NEARBY)
    assert (decisions[2].event, decisions[2].target, decisions[2].candidates) == ("UPDATE", "c", [])


def test_facts_said_before_a_memory_began_may_each_contradict_it() -> None:
    rows = {"a": {**stored("alex lives in Berlin", [1.0, 0.0, 0.0]), "valid_at": "2024-06-01T00:00:00+00:00"}}
    facts = [ExtractedFact(text="alex lives in Madrid", contradicts="a"),
             ExtractedFact(text="alex lives in Rome", contradicts="a"),
             ExtractedFact(text="alex lives in Porto", updates="a")]  # an update still takes it once only
    vectors = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.7, 0.7]]
    nearby = Nearby(rows=rows, shown=("a",))
    older = decide(facts, vectors, nearby, "2023-01-01T00:00:00+00:00")  # an import of older messages
    assert [(d.event, d.target) for d in older] == [("DELETE", "a"), ("DELETE", "a"), ("ADD", None)]
    later = decide(facts, vectors, nearby, "2025-01-01T00:00:00+00:00")  # said after: superseded once
    assert [(d.event, d.target) for d in later] == [("DELETE", "a"), ("ADD", None), ("ADD", None)]
    updated_first = decide([facts[2], facts[0]], [vectors[2], vectors[0]], nearby, "2023-01-01T00:00:00+00:00")
    assert [(d.event, d.target) for d in updated_first] == [("UPDATE", "a"), ("ADD", None)]  # not both


def test_an_update_to_the_same_text_is_none_and_settle_ignores_unknown_ids() -> None:
    [same] = decide([ExtractedFact(text="alex likes pizza", updates="b")], [[0.0, 0.0, 1.0]], NEARBY)
    assert (same.event, same.target) == ("NONE", None)
    [asked] = decide([ExtractedFact(text="alex enjoys chess")], [[0.0, 0.5, 0.9]], NEARBY)
    settle([asked], [Verdict("DELETE", "b")], NEARBY)  # "b" was not among its look-alikes
    assert (asked.event, asked.target) == ("ADD", None)
    assert decide([ExtractedFact(text="x", updates="zzz")], [[1.0, 0.0, 0.0]], Nearby())[0].event == "ADD"


def extraction(*entities: dict[str, Any]) -> LLMExtraction:
    return LLMExtraction.model_validate({"facts": [], "entities": list(entities), "relations": []})


def test_bracketed_names_are_aliases_of_people_and_of_known_entities_only() -> None:
    people = to_extraction(extraction({"name": "Bob", "type": "person", "aliases": []},
                                      {"name": "Robert (Bob)", "type": "person", "aliases": []},
                                      {"name": "Mercury (planet)", "type": "planet", "aliases": []},
                                      {"name": "Bobby", "type": "person", "aliases": ["bob"]}), {}, None)
    assert [(e.name, e.aliases) for e in people.entities] == [("Bob", ["Robert", "Bobby"]),
                                                              ("Mercury (planet)", [])]


def test_validity_at_a_time() -> None:
    row = {"created_at": "2026-01-01T00:00:00+00:00", "invalid_at": "2026-06-01T00:00:00+00:00"}
    assert valid_then(row, datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert not valid_then(row, datetime(2025, 12, 31, tzinfo=timezone.utc))
    assert not valid_then(row, datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert valid_then({"valid_at": "2020-05-01", "invalid_at": None}, datetime(2021, 1, 1, tzinfo=timezone.utc),
                      start="valid_at")
    assert check_as_of(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=timezone.utc)  # naive means UTC
    assert check_as_of(None) is None
