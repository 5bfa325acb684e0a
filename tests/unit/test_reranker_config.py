"""Reranker configs: mem0's keys and providers, defaults, clear errors, and no reranker by default."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from graphmem import ConfigError, Memory, MemoryConfig, MissingDependencyError
from graphmem.config import CohereReranker, HttpReranker, SentenceTransformerReranker
from graphmem.errors import ProviderError
from graphmem.providers.http_reranker import HttpRerankClient, parse_ranking
from graphmem.providers.rerankers import CrossEncoderReranker, create_reranker, rerank_records, rerank_window


def reranker_of(block: dict[str, Any]) -> Any:
    return MemoryConfig.parse({"reranker": block}).reranker


def test_no_reranker_by_default() -> None:
    assert MemoryConfig.parse(None).reranker is None
    assert create_reranker(None) is None
    assert rerank_window(None, 7) == 7


@pytest.mark.parametrize("provider", ["sentence_transformer", "huggingface"])
def test_mem0_cross_encoder_configs(provider: str) -> None:
    config = reranker_of({"provider": provider, "config": {
        "model": "/models/ce", "device": "cpu", "batch_size": 8, "top_k": 30, "show_progress_bar": False}})
    assert isinstance(config, SentenceTransformerReranker)
    assert (config.config.model, config.config.device, config.config.batch_size, config.config.top_k) == \
        ("/models/ce", "cpu", 8, 30)
    reranker = create_reranker(config)
    assert isinstance(reranker, CrossEncoderReranker)
    assert rerank_window(reranker, 10) == 30 and rerank_window(reranker, 50) == 50


def test_mem0_none_config_means_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    config = reranker_of({"provider": "cohere", "config": None})
    assert isinstance(config, CohereReranker)
    assert config.config.model == "rerank-v3.5" and config.config.base_url == "https://api.cohere.com/v2"
    monkeypatch.setenv("COHERE_API_KEY", "co-key")
    reranker = create_reranker(config)
    assert isinstance(reranker, HttpRerankClient)
    assert reranker.url == "https://api.cohere.com/v2/rerank"
    assert rerank_window(reranker, 5) == 20  # the default window


def test_cohere_without_a_key_fails_when_the_memory_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="COHERE_API_KEY") as caught:
        Memory({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}, "embedder": {"provider": "hash"},
                "reranker": {"provider": "cohere"}})
    assert caught.value.field == "reranker.config.api_key"


def test_http_needs_an_http_url() -> None:
    config = reranker_of({"provider": "http", "config": {"base_url": "http://localhost:8000/v1/"}})
    assert isinstance(config, HttpReranker) and config.config.base_url == "http://localhost:8000/v1"
    with pytest.raises(ConfigError) as caught:
        reranker_of({"provider": "http", "config": {"base_url": "localhost:8000"}})
    assert caught.value.field == "reranker.config.base_url"
    with pytest.raises(ConfigError) as caught:
        reranker_of({"provider": "http", "config": {}})
    assert caught.value.field == "reranker.config.base_url"


@pytest.mark.parametrize("block, field", [
    ({"provider": "llm"}, "reranker"),  # the message lists the providers
    ({"provider": "cohere", "config": {"top_k": 0}}, "reranker.config.top_k"),
    ({"provider": "cohere", "config": {"colour": "red"}}, "reranker.config.colour"),
])
def test_bad_values_name_the_field(block: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        reranker_of(block)
    assert caught.value.field is not None and caught.value.field.startswith(field)


def test_missing_sentence_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # as when it is not installed
    with pytest.raises(MissingDependencyError, match=r"graphmem\[minilm\]"):
        create_reranker(reranker_of({"provider": "sentence_transformer"}))


def test_missing_httpx_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(MissingDependencyError, match="httpx"):
        create_reranker(reranker_of({"provider": "http", "config": {"base_url": "http://localhost:1"}}))


@pytest.mark.parametrize("payload", [
    {}, {"results": "no"}, {"results": [{"index": 3, "relevance_score": 0.5}]},
    {"results": [{"index": 0}]}, {"results": [{"index": 0, "relevance_score": 1}, {"index": 0, "relevance_score": 1}]},
])
def test_answers_of_the_wrong_shape_are_provider_errors(payload: Any) -> None:
    with pytest.raises(ProviderError):
        parse_ranking(payload, 2)


def test_answers_are_ordered_by_relevance() -> None:
    payload = {"results": [{"index": 1, "relevance_score": 0.2}, {"index": 0, "relevance_score": 0.9}]}
    assert parse_ranking(payload, 2) == [(0, 0.9), (1, 0.2)]


class FixedRanking:
    """A reranker that answers with a set ranking, as a server that ignores or shortens top_n."""

    description = "fixed"
    window = None

    def __init__(self, ranking: list[tuple[int, float]]) -> None:
        self.ranking = ranking

    async def rank(self, query: str, documents: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        return self.ranking

    async def aclose(self) -> None:
        pass


def records(*texts: str) -> list[dict[str, Any]]:
    return [{"id": str(i), "memory": text, "score": 1.0 - i / 10} for i, text in enumerate(texts)]


def test_documents_a_server_left_out_follow_in_fused_order() -> None:
    found = asyncio.run(rerank_records(FixedRanking([(2, 0.9)]), "q", records("a", "b", "c", "d"), 3, False))
    assert [(r["memory"], r.get("rerank_score")) for r in found] == [("c", 0.9), ("a", None), ("b", None)]


def test_a_server_that_ignores_top_n_is_cut_to_the_limit() -> None:
    ranking = [(3, 0.9), (1, 0.8), (0, 0.7), (2, 0.1)]
    found = asyncio.run(rerank_records(FixedRanking(ranking), "q", records("a", "b", "c", "d"), 2, True))
    assert [r["memory"] for r in found] == ["d", "b"]
    assert [r["explain"] for r in found] == [{"rerank": 0.9}, {"rerank": 0.8}]
