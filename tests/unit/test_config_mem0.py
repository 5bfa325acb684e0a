"""mem0 configs load as written: every MemoryConfig key, each graph store provider's keys, partial dicts."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphmem.config import BoltStore, KuzuStore, MemoryConfig
from graphmem.errors import ConfigError
from graphmem.search_config import DEFAULT_WEIGHTS

# mem0ai 2.2.1's MemoryConfig().model_dump() (written out: importing mem0 makes ~/.mem0), with a local LLM.
MEM0_DEFAULTS: dict[str, Any] = {
    "vector_store": {"provider": "qdrant", "config": {
        "collection_name": "mem0", "embedding_model_dims": 1536, "client": None, "host": None, "port": None,
        "path": "/tmp/qdrant", "url": None, "api_key": None, "https": None, "on_disk": False}},
    "llm": {"provider": "openai", "config": {}},
    "embedder": {"provider": "openai", "config": {}},
    "history_db_path": "/home/me/.mem0/history.db",
    "reranker": None,
    "version": "v1.1",
    "custom_instructions": None,
}


def test_mem0_2x_defaults_load(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="graphmem.config"):
        config = MemoryConfig.parse(MEM0_DEFAULTS)
    assert config.vector_store is not None and config.history_db_path == "/home/me/.mem0/history.db"
    said = [r for r in caplog.records if "vector_store" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO and "qdrant" in said[0].getMessage()


def test_mem0_1x_keys_load() -> None:
    config = MemoryConfig.parse({"version": "v1.0", "custom_fact_extraction_prompt": "facts please",
                                 "custom_update_memory_prompt": "update please", "history_db_path": "h.db"})
    assert config.custom_fact_extraction_prompt == "facts please"


def test_custom_instructions_are_the_extraction_prompt() -> None:
    assert MemoryConfig.parse({"custom_instructions": "only food"}).custom_fact_extraction_prompt == "only food"
    both = MemoryConfig.parse({"custom_instructions": "a", "custom_fact_extraction_prompt": "b"})
    assert both.custom_fact_extraction_prompt == "b"


@pytest.mark.parametrize("graph_store", [
    {"provider": "kuzu", "config": {"db": ":memory:"}, "threshold": 0.8, "custom_prompt": "people only",
     "llm": {"provider": "openai", "config": {"model": "gpt-4.1-mini"}}},
    {"provider": "kuzu", "config": None},
    {"provider": "kuzu"},
    {"config": {"db": ":memory:"}},  # no provider, no URL: the embedded store
    None,
])
def test_kuzu_graph_store_keys(graph_store: dict[str, Any] | None) -> None:
    assert isinstance(MemoryConfig.parse({"graph_store": graph_store}).graph_store, KuzuStore)


@pytest.mark.parametrize("graph_store", [
    {"provider": "neo4j", "config": {"url": "neo4j+s://x.databases.neo4j.io", "username": "neo4j",
                                     "password": "pw", "database": "neo4j", "base_label": True}, "threshold": 0.9},
    {"provider": "memgraph", "config": {"url": "bolt://localhost:7687", "username": "memgraph", "password": "pw"}},
    {"config": {"url": "bolt://localhost:7687", "username": "neo4j", "password": "pw"}},  # mem0's default: neo4j
])
def test_bolt_graph_store_keys(graph_store: dict[str, Any]) -> None:
    assert isinstance(MemoryConfig.parse({"graph_store": graph_store}).graph_store, BoltStore)


@pytest.mark.parametrize("provider", ["neptune", "neptunedb"])
def test_neptune_opens_kuzu_and_says_so(provider: str, caplog: pytest.LogCaptureFixture) -> None:
    store = {"provider": provider, "config": {"endpoint": "neptune-graph://g-abc", "base_label": True,
                                              "app_id": "Mem0", "collection_name": "c"}, "threshold": 0.5}
    with caplog.at_level(logging.WARNING, logger="graphmem.config"):
        config = MemoryConfig.parse({"graph_store": store})
    assert isinstance(config.graph_store, KuzuStore) and config.graph_store.threshold == 0.5
    assert any("Neptune" in r.getMessage() for r in caplog.records)


def test_partial_weights_merge_with_the_defaults() -> None:
    weights = MemoryConfig.parse({"search": {"weights": {"graph": 0}}}).search.weights
    assert weights == {**DEFAULT_WEIGHTS, "graph": 0.0}
    assert MemoryConfig.parse({"search": {"hops": 1}}).search.weights == DEFAULT_WEIGHTS


@pytest.mark.parametrize(("config", "field"), [
    ({"search": {"weights": {"grpah": 0.2}}}, "search.weights.grpah"),
    ({"search": {"weights": {"graph": -0.1}}}, "search.weights.graph"),
    ({"search": {"weights": {"graph": "high"}}}, "search.weights.graph"),
    ({"search": {"weights": dict.fromkeys(DEFAULT_WEIGHTS, 0)}}, "search.weights"),
    ({"search": {"weights": [1, 2]}}, "search.weights"),
    ({"graph_store": {"provider": "kuzu", "threshold": 1.5}}, "graph_store.threshold"),
    ({"graph_store": {"provider": "kuzu", "config": {"path": "x"}}}, "graph_store.config.path"),
    ({"graph_store": {"provider": "neptune", "config": {"endpoint": "x", "port": 1}}}, "graph_store"),
    ({"vector_store": "qdrant"}, "vector_store"),
    ({"custom_instructions": "  "}, "custom_instructions"),
    ({"vectorstore": {}}, "vectorstore"),
])
def test_bad_keys_name_the_field(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryConfig.parse(config)
    assert caught.value.field == field


@pytest.mark.parametrize("llm", [
    {"provider": "openai", "config": {"model": "gpt-4.1-mini", "http_client_proxies": {"https": "http://p:1"},
                                      "openrouter_base_url": "https://openrouter.ai/api/v1", "models": ["a", "b"],
                                      "route": "fallback", "site_url": "https://x", "app_name": "x",
                                      "response_callback": print, "reasoning_effort": "low",
                                      "is_reasoning_model": False}},
    {"provider": "lmstudio", "config": {"lmstudio_response_format": {"type": "json_schema"}}},
    {"provider": "anthropic", "config": {"http_client_proxies": "http://p:1", "enable_sampling_parameters": True}},
    {"provider": "ollama", "config": {"http_client_proxies": None, "ollama_base_url": "http://localhost:11434"}},
])
def test_mem0_llm_keys_load(llm: dict[str, Any]) -> None:
    assert MemoryConfig.parse({"llm": llm}).llm is not None


def test_a_pydantic_config_object_loads() -> None:
    from pydantic import BaseModel

    class Mem0Like(BaseModel):  # what mem0's own MemoryConfig dumps
        vector_store: dict[str, Any] = {"provider": "qdrant", "config": {"path": "/tmp/q"}}
        history_db_path: str = "h.db"
        custom_instructions: str | None = "only food"

    assert MemoryConfig.parse(Mem0Like()).custom_fact_extraction_prompt == "only food"  # type: ignore[arg-type]


_KEYS = ["graph_store", "embedder", "llm", "search", "weights", "provider", "config", "vector_store", "kuzu",
         "neptune", "neo4j", "url", "db", "threshold", "graph", "custom_instructions", "version", "reranker"]
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(_KEYS),
                     lambda children: st.lists(children, max_size=3)
                     | st.dictionaries(st.sampled_from(_KEYS) | st.integers(), children, max_size=3),
                     max_leaves=15)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=4))
def test_any_json_config_is_a_config_or_a_config_error(data: dict[str, Any]) -> None:
    try:
        MemoryConfig.parse(data)
    except ConfigError as error:
        assert error.field is not None
