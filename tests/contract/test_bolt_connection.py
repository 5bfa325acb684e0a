"""Bolt configuration and connection failures: typed errors that name the URL, fast."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from graphmem import Memory
from graphmem.config import BoltStore, MemoryConfig
from graphmem.errors import ConfigError, ConnectionFailedError


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there once the socket is closed


@pytest.mark.parametrize("provider", ["neo4j", "memgraph", "arcadedb"])
def test_an_unreachable_server_fails_fast_naming_the_url(provider: str) -> None:
    url = f"bolt://127.0.0.1:{closed_port()}"
    config = {"graph_store": {"provider": provider, "config": {"url": url, "username": "neo4j", "password": "x"}},
              "embedder": {"provider": "hash"}}
    started = time.monotonic()
    with pytest.raises(ConnectionFailedError) as caught:
        Memory(config)  # a server is connected to at once, as in mem0
    assert caught.value.url == url and url in str(caught.value)
    assert "Traceback" not in str(caught.value) and len(str(caught.value)) < 400
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no chain of driver internals
    assert time.monotonic() - started < 10


def test_wrong_credentials_name_the_url_and_user(arcadedb_store: dict[str, Any]) -> None:
    store = {**arcadedb_store, "config": {**arcadedb_store["config"], "password": "wrong"}}
    with pytest.raises(ConnectionFailedError, match="root") as caught:
        Memory({"graph_store": store, "embedder": {"provider": "hash"}})
    assert caught.value.url == store["config"]["url"]


def test_mem0_graph_store_configs_are_accepted() -> None:
    mem0_style = {"provider": "neo4j", "config": {"url": "neo4j://db.example:7687", "username": "neo4j",
                                                  "password": "pw", "database": "memories", "base_label": True},
                  "llm": {"provider": "openai", "config": {"model": "gpt-4.1-mini"}}, "custom_prompt": "x",
                  "threshold": 0.8}
    store = MemoryConfig.parse({"graph_store": mem0_style}).graph_store
    assert isinstance(store, BoltStore)
    assert (store.config.url, store.config.database) == ("neo4j://db.example:7687", "memories")
    memgraph = MemoryConfig.parse({"graph_store": {"provider": "memgraph", "config": {
        "url": "bolt://localhost:7687", "username": "memgraph", "password": "x"}}}).graph_store
    assert isinstance(memgraph, BoltStore) and memgraph.provider == "memgraph"


@pytest.mark.parametrize("url", ["http://localhost:7474", "localhost:7687", "bolt://", "postgres://x:5432"])
def test_a_non_bolt_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryConfig.parse({"graph_store": {"provider": "neo4j", "config": {"url": url}}})
    assert caught.value.field == "graph_store.config.url"


def test_a_missing_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryConfig.parse({"graph_store": {"provider": "arcadedb", "config": {"username": "root"}}})
    assert caught.value.field == "graph_store.config.url"
