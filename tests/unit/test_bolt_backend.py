"""The Bolt backends' own logic, without a server: vector search strategy, configuration, errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest

from graphmem.backends._bolt import INDEX_MIN_FETCH, INDEX_OVERFETCH, BoltBackend
from graphmem.backends.base import Row
from graphmem.config import BoltConfig, MemoryConfig
from graphmem.errors import BackendError, ConfigError, MissingDependencyError
from graphmem.factory import backend_class, create_backend
from graphmem.scope import Scope

URL = "bolt://localhost:7687"


def scripted(dialect: str, answers: dict[str, list[Row]]) -> Any:
    """The dialect's backend, its reads answered from a script and recorded in `.calls`."""
    calls: list[tuple[str, dict[str, Any]]] = []

    class Scripted(backend_class(dialect)):  # type: ignore[misc]
        async def read(self, name: str, params: dict[str, Any]) -> list[Row]:
            calls.append((name, params))
            return answers[name]

    backend = Scripted(BoltConfig(url=URL))
    backend.calls = calls
    return backend


def rows(n: int) -> list[Row]:
    return [{"id": f"m{i}", "similarity": 1.0 - i / 100} for i in range(n)]


def search(backend: Any, k: int, table: str = "memory") -> list[Row]:
    return asyncio.run(backend.vector_search(table, [1.0, 0.0], k, Scope.of("alice")))  # type: ignore[arg-type]


def test_the_native_index_answers_when_it_leaves_k_rows_in_the_scope() -> None:
    backend = scripted("neo4j", {"memory/vector_index_search": rows(5), "memory/vector_scan": rows(2)})
    assert search(backend, 5) == rows(5)
    [(name, params)] = backend.calls
    assert name == "memory/vector_index_search"
    assert params["fetch"] == INDEX_MIN_FETCH and params["k"] == 5 and params["user_id"] == "alice"
    search(backend, 50)
    assert backend.calls[-2][1]["fetch"] == 50 * INDEX_OVERFETCH


def test_a_scope_the_index_starves_is_scanned_exactly() -> None:
    backend = scripted("memgraph", {"entity/vector_index_search": rows(1), "entity/vector_scan": rows(3)})
    assert search(backend, 5, "entity") == rows(3)
    assert [name for name, _ in backend.calls] == ["entity/vector_index_search", "entity/vector_scan"]


def test_a_dialect_without_a_vector_index_scans() -> None:
    backend = scripted("arcadedb", {"memory/vector_scan": rows(2)})
    assert search(backend, 5) == rows(2)
    assert [name for name, _ in backend.calls] == ["memory/vector_scan"]
    assert search(backend, 0) == [] and len(backend.calls) == 1


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        backend_class("oracle")
    assert caught.value.field == "graph_store.provider"


@pytest.mark.parametrize("provider", ["neo4j", "memgraph", "arcadedb"])
def test_each_provider_builds_its_own_bolt_backend(provider: str) -> None:
    store = MemoryConfig.parse({"graph_store": {"provider": provider, "config": {"url": URL}}}).graph_store
    backend = create_backend(store)
    assert isinstance(backend, BoltBackend) and type(backend).__module__ == f"graphmem.backends.{provider}"
    assert backend.dialect == provider and backend.location == URL


@pytest.mark.parametrize("provider", ["neo4j", "memgraph", "arcadedb"])
def test_a_missing_driver_names_the_extra(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "neo4j", None)  # import neo4j now raises ImportError
    backend = backend_class(provider)(BoltConfig(url=URL))
    with pytest.raises(MissingDependencyError, match=rf"pip install 'graphmem\[{provider}\]'"):
        asyncio.run(backend.open(8))


def test_the_driver_is_imported_only_when_a_server_is_opened() -> None:
    code = ("import sys, graphmem, graphmem.backends.neo4j, graphmem.backends.memgraph, "
            "graphmem.backends.arcadedb; print('neo4j' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() \
        == "False"


def test_using_a_closed_backend_is_a_backend_error() -> None:
    backend = backend_class("neo4j")(BoltConfig(url=URL))
    with pytest.raises(BackendError, match="not open"):
        asyncio.run(backend.read("memory/get", {"id": "x"}))
    asyncio.run(backend.close())  # closing what never opened is fine
