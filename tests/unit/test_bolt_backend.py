"""The Bolt backend's own logic, without a server: vector search strategy, configuration, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphmem.backends.base import Row
from graphmem.backends.bolt import INDEX_MIN_FETCH, INDEX_OVERFETCH, BoltBackend
from graphmem.config import BoltConfig
from graphmem.errors import BackendError, ConfigError
from graphmem.scope import Scope


class Scripted(BoltBackend):
    """Answers reads from a script and records them."""

    def __init__(self, dialect: str, answers: dict[str, list[Row]]) -> None:
        super().__init__(dialect, BoltConfig(url="bolt://localhost:7687"))
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def read(self, name: str, params: dict[str, Any]) -> list[Row]:
        self.calls.append((name, params))
        return self.answers[name]


def rows(n: int) -> list[Row]:
    return [{"id": f"m{i}", "similarity": 1.0 - i / 100} for i in range(n)]


def search(backend: Scripted, k: int, table: str = "memory") -> list[Row]:
    return asyncio.run(backend.vector_search(table, [1.0, 0.0], k, Scope.of("alice")))  # type: ignore[arg-type]


def test_the_native_index_answers_when_it_leaves_k_rows_in_the_scope() -> None:
    backend = Scripted("neo4j", {"memory/vector_index_search": rows(5), "memory/vector_scan": rows(2)})
    assert search(backend, 5) == rows(5)
    [(name, params)] = backend.calls
    assert name == "memory/vector_index_search"
    assert params["fetch"] == INDEX_MIN_FETCH and params["k"] == 5 and params["user_id"] == "alice"
    search(backend, 50)
    assert backend.calls[-2][1]["fetch"] == 50 * INDEX_OVERFETCH


def test_a_scope_the_index_starves_is_scanned_exactly() -> None:
    backend = Scripted("memgraph", {"entity/vector_index_search": rows(1), "entity/vector_scan": rows(3)})
    assert search(backend, 5, "entity") == rows(3)
    assert [name for name, _ in backend.calls] == ["entity/vector_index_search", "entity/vector_scan"]


def test_a_dialect_without_a_vector_index_scans() -> None:
    backend = Scripted("arcadedb", {"memory/vector_scan": rows(2)})
    assert search(backend, 5) == rows(2)
    assert [name for name, _ in backend.calls] == ["memory/vector_scan"]
    assert search(backend, 0) == [] and len(backend.calls) == 1


def test_unknown_dialect_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        BoltBackend("oracle", BoltConfig(url="bolt://localhost:7687"))


def test_using_a_closed_backend_is_a_backend_error() -> None:
    backend = BoltBackend("neo4j", BoltConfig(url="bolt://localhost:7687"))
    with pytest.raises(BackendError, match="not open"):
        asyncio.run(backend.read("memory/get", {"id": "x"}))
    asyncio.run(backend.close())  # closing what never opened is fine
