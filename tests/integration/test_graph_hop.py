"""A Kuzu store without RELATES edges skips the search's graph hop; one with them hops as before.

Real Kuzu, the hash embedder, the default offline extractor (infer=True without an LLM writes relations).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory
from graphmem.backends.kuzu import KuzuBackend
from graphmem.errors import BackendError


def statements_run(memory: Memory) -> list[str]:
    """A list that gets each statement name the Kuzu backend runs from now on."""
    backend = memory._async.backend
    assert isinstance(backend, KuzuBackend)
    ran: list[str] = []
    fetch = backend._fetch

    def counted(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        ran.append(name)
        return fetch(name, params)

    backend._fetch = counted  # type: ignore[method-assign]
    return ran


def triples(found: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["source"], r["relationship"], r["target"]) for r in found["relations"]}


def test_a_store_added_without_extraction_searches_without_the_graph_hop(
        config_for: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    with Memory(config_for(tmp_path / "db")) as memory:
        memory.add("Bob: I moved to Berlin with my dog Rex.", user_id="bob", infer=False)
        ran = statements_run(memory)
        for _ in range(2):
            assert memory.search("Where does Bob live?", user_id="bob")["results"]
        assert "graph/neighbours" not in ran
        assert ran.count("relation/any") == 1  # read once, then known


def test_relations_written_after_the_first_search_are_hopped_to(
        config_for: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    with Memory(config_for(tmp_path / "db")) as memory:
        memory.add("Bob: I moved to Berlin.", user_id="bob", infer=False)
        assert memory.search("Where does Bob live?", user_id="bob")["relations"] == []
        memory.add("I work at Google.", user_id="alice")  # the offline extractor: alice works_at Google
        ran = statements_run(memory)
        found = memory.search("Where does alice work?", user_id="alice")
        assert ("alice", "works_at", "Google") in triples(found)
        assert "graph/neighbours" in ran and "relation/any" not in ran


def test_a_store_that_holds_relations_is_hopped_in_a_new_process(
        config_for: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    with Memory(config_for(tmp_path / "db")) as memory:
        memory.add("I work at Google.", user_id="alice")
    with Memory(config_for(tmp_path / "db")) as reopened:  # the database opened afresh: nothing known yet
        ran = statements_run(reopened)
        found = reopened.search("Where does alice work?", user_id="alice")
        assert ("alice", "works_at", "Google") in triples(found)
        assert ran.count("relation/any") == 1 and "graph/neighbours" in ran


def test_a_commit_reported_failed_after_it_landed_makes_the_store_read_again(
        config_for: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    """Kuzu may raise at COMMIT after writing it: what landed is not known, so "no relations" is not kept."""
    with Memory(config_for(tmp_path / "db")) as memory:
        memory.add("Bob: I moved to Berlin.", user_id="bob", infer=False)
        memory.search("Where does Bob live?", user_id="bob")  # the store is read: no RELATES edge
        db = memory._async.backend._db
        execute = db.execute

        def failing_after_commit(text: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
            rows = execute(text, params)
            if text == "COMMIT":
                db.execute = execute  # once
                raise BackendError("Kuzu: an IO error after the commit was written")
            return rows

        db.execute = failing_after_commit
        with pytest.raises(BackendError):
            memory.add("I work at Google.", user_id="alice")
        found = memory.search("Where does alice work?", user_id="alice")
        assert ("alice", "works_at", "Google") in triples(found)
