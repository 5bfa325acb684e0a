"""The openai embedder through the real SDK against the scripted server's /v1/embeddings."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from llm_support import PIZZA, llm_config, llm_memory, memory_config

from graphmem import ProviderError
from graphmem.config import MemoryConfig
from graphmem.providers.embedders import create_embedder
from graphmem.providers.openai_embedder import OpenAICompatibleEmbedder
from graphmem.testing.llm_server import Fault, LLMServer


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer({"pizza": PIZZA}, embedding_dims=24) as running:
        yield running


def embedder_config(server: LLMServer, **config: Any) -> dict[str, Any]:
    return {"provider": "openai", "config": {"openai_base_url": server.openai_base_url, "api_key": "test-key",
                                             "retry_delay": 0.0, **config}}


def make_embedder(block: dict[str, Any]) -> OpenAICompatibleEmbedder:
    embedder = create_embedder(MemoryConfig.parse({"embedder": block}).embedder)
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    return embedder


def run(embedder: OpenAICompatibleEmbedder, texts: list[str]) -> list[list[float]]:
    async def scenario() -> list[list[float]]:
        try:
            return await embedder.embed_texts(texts)
        finally:
            await embedder.aclose()

    return asyncio.run(scenario())


def test_batches_keep_order_and_come_back_unit_length(server: LLMServer) -> None:
    embedder = make_embedder(embedder_config(server, model="my-embedder", batch_size=2))
    texts = ["alpha", "beta words", "gamma", "alpha", "delta\nline"]
    vectors = run(embedder, texts)
    assert server.calls == {"embeddings": 3}
    assert [len(v) for v in vectors] == [24] * 5
    assert np.allclose(np.linalg.norm(np.array(vectors), axis=1), 1.0, atol=1e-5)
    assert vectors[0] == vectors[3] and vectors[0] != vectors[1]
    bodies = [r.body for r in server.requests]
    assert [b["input"] for b in bodies] == [["alpha", "beta words"], ["gamma", "alpha"], ["delta line"]]
    assert all(b["model"] == "my-embedder" and b["encoding_format"] == "float" for b in bodies)
    assert all("dimensions" not in b for b in bodies)
    assert embedder.dims == 24  # learnt from the first answer, no probe


def test_configured_dims_are_sent_as_dimensions(server: LLMServer) -> None:
    embedder = make_embedder(embedder_config(server, embedding_dims=16))
    assert embedder.dims == 16 and server.calls == {}
    assert len(run(embedder, ["alpha"])[0]) == 16
    assert server.requests[0].body["dimensions"] == 16


def test_dims_of_known_models_need_no_call_and_others_one_probe(server: LLMServer) -> None:
    assert make_embedder(embedder_config(server)).dims == 1536  # text-embedding-3-small
    assert server.calls == {}
    assert make_embedder(embedder_config(server, model="custom-model")).dims == 24
    assert server.calls == {"embeddings": 1}


def test_a_size_other_than_configured_is_a_clear_error(server: LLMServer) -> None:
    embedder = make_embedder({"provider": "ollama", "config": {"ollama_base_url": server.url,
                                                               "embedding_dims": 768, "retry_delay": 0.0}})
    with pytest.raises(ProviderError, match="embedding_dims"):
        run(embedder, ["alpha"])
    assert server.requests[0].path == "/v1/embeddings"
    assert "dimensions" not in server.requests[0].body  # only OpenAI's own models take it


def test_rate_limits_are_retried(server: LLMServer) -> None:
    server.fail(Fault.http(429, endpoint="embeddings"), Fault.http(502, endpoint="embeddings"))
    assert len(run(make_embedder(embedder_config(server, embedding_dims=24)), ["alpha"])) == 1
    assert server.calls == {"embeddings": 3}


def test_memory_with_openai_llm_and_embedder(server: LLMServer) -> None:
    config = memory_config(llm_config(server), embedder_config(server, model="custom-model"))
    with llm_memory(config) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
        after_add = server.calls
        assert after_add["chat"] == 1
        found = memory.search("pizza", user_id="alex")
        memory.search("pizza", user_id="alex")  # the query's embedding is cached
        assert found["results"][0]["memory"] == "alex loves pizza"
        assert server.calls == {"chat": 1, "embeddings": after_add["embeddings"] + 1}
