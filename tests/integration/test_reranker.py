"""The HTTP and cohere rerankers over real HTTP, against the scripted server's /rerank endpoints."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from llm_support import llm_memory, memory_config

from graphmem import AsyncMemory, Memory
from graphmem.config import MemoryConfig
from graphmem.providers.http_reranker import HttpRerankClient
from graphmem.providers.rerankers import create_reranker
from graphmem.testing.llm_server import Fault, LLMServer, relevance

# Fused search ranks the memories that share a rare query word first; the server's word overlap does not.
GRANDMA = "grandma wrote a bread recipe with many extra words in it"
MEMORIES = ["banana smoothie", GRANDMA, "bread crust", "recipe book", "fresh bread daily", "a recipe for soup",
            "the garden has roses"]
QUERY = "banana bread recipe"


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer() as running:
        yield running


def reranker_config(server: LLMServer, path: str = "/v1", **config: Any) -> dict[str, Any]:
    return {"provider": "http", "config": {"base_url": server.url + path, "model": "test-reranker",
                                           "retry_delay": 0.0, "timeout": 2.0, **config}}


@contextmanager
def rerank_memory(server: LLMServer, **config: Any) -> Iterator[Memory]:
    """A Memory holding MEMORIES, reranking through the server."""
    with llm_memory({**memory_config(None), "reranker": reranker_config(server, **config)}) as memory:
        for text in MEMORIES:
            memory.add(text, user_id="u", infer=False)
        yield memory


def texts(found: dict[str, Any]) -> list[str]:
    return [r["memory"] for r in found["results"]]


def test_results_follow_the_rerankers_order_with_its_score(server: LLMServer) -> None:
    with rerank_memory(server) as memory:
        fused = memory.search(QUERY, user_id="u", rerank=False)
        assert server.calls == {}
        found = memory.search(QUERY, user_id="u", limit=3)
    by_relevance = sorted(texts(fused), key=lambda text: -relevance(QUERY, text))  # stable: ties stay fused
    assert texts(found) == by_relevance[:3]
    assert texts(found)[0] == GRANDMA and texts(fused)[0] != GRANDMA
    scores = [r["rerank_score"] for r in found["results"]]
    assert scores == sorted(scores, reverse=True)
    assert all(r["rerank_score"] == round(relevance(QUERY, r["memory"]), 6) for r in found["results"])
    # `score` stays the fused score, what threshold filters on.
    assert {r["id"]: r["score"] for r in found["results"]} == {r["id"]: r["score"] for r in fused["results"]
                                                               if r["id"] in {x["id"] for x in found["results"]}}
    (request,) = server.requests
    assert request.path == "/v1/rerank"
    assert request.body == {"query": QUERY, "documents": texts(fused), "top_n": 3, "model": "test-reranker"}


def test_top_k_sets_how_many_fused_results_are_reranked(server: LLMServer) -> None:
    with rerank_memory(server, path="", top_k=2) as memory:
        found = memory.search(QUERY, user_id="u", limit=1)
        assert len(server.requests[0].body["documents"]) == 2
        assert server.requests[0].path == "/rerank"
        assert len(found["results"]) == 1 and "rerank_score" in found["results"][0]
        memory.search(QUERY, user_id="u", limit=3)  # never fewer than the limit
        assert len(server.requests[1].body["documents"]) == 3


def test_explain_includes_the_rerank_score(server: LLMServer) -> None:
    with rerank_memory(server) as memory:
        found = memory.search(QUERY, user_id="u", limit=2, explain=True)
    for record in found["results"]:
        assert record["explain"]["rerank"] == pytest.approx(record["rerank_score"], abs=1e-6)
        assert set(record["explain"]) - {"rerank"}  # the fused signals are still there


@pytest.mark.parametrize("fault", [Fault.http(500, endpoint="rerank"), Fault.http(404, endpoint="rerank"),
                                   Fault.timeout(1.0, endpoint="rerank"), Fault.malformed(endpoint="rerank")],
                         ids=["500", "404", "timeout", "malformed"])
def test_a_failing_reranker_leaves_the_fused_order_and_logs_a_warning(
        server: LLMServer, fault: Fault, caplog: pytest.LogCaptureFixture) -> None:
    with rerank_memory(server, max_retries=0, timeout=0.3) as memory:
        fused = memory.search(QUERY, user_id="u", limit=3, rerank=False)
        server.fail(fault)
        with caplog.at_level(logging.WARNING, logger="graphmem.providers.rerankers"):
            found = memory.search(QUERY, user_id="u", limit=3)
    assert found["results"] == fused["results"]
    (warning,) = [r for r in caplog.records if r.name == "graphmem.providers.rerankers"]
    assert warning.levelno == logging.WARNING and "test-reranker" in warning.getMessage()


def test_transient_failures_are_retried(server: LLMServer) -> None:
    server.fail(Fault.http(503, endpoint="rerank"))
    with rerank_memory(server) as memory:
        found = memory.search(QUERY, user_id="u", limit=2)
    assert "rerank_score" in found["results"][0] and server.calls == {"rerank": 2}


def test_cohere_sends_its_key_and_v2_body(server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHERE_API_KEY", "co-key")
    config = MemoryConfig.parse({"reranker": {"provider": "cohere", "config": {"base_url": server.url + "/v2"}}})
    reranker = create_reranker(config.reranker)
    assert isinstance(reranker, HttpRerankClient)

    async def scenario() -> Any:
        try:
            return await reranker.rank("bread recipe", ["banana", "bread recipe", "recipe"], 2)
        finally:
            await reranker.aclose()

    assert asyncio.run(scenario()) == [(1, 1.0), (2, 0.5)]
    (request,) = server.requests
    assert request.path == "/v2/rerank" and request.body["model"] == "rerank-v3.5"
    assert request.body["top_n"] == 2


def test_no_reranker_or_rerank_false_makes_no_call(server: LLMServer) -> None:
    async def scenario() -> None:
        plain = AsyncMemory(memory_config(None))
        assert plain.reranker is None
        try:
            await plain.add("banana bread", user_id="u", infer=False)
            assert "rerank_score" not in (await plain.search("banana", user_id="u"))["results"][0]
        finally:
            await plain.close()

    asyncio.run(scenario())
    with rerank_memory(server) as memory:
        assert memory.search(QUERY, user_id="u", limit=0)["results"] == []
        assert all("rerank_score" not in r for r in memory.search(QUERY, user_id="u", rerank=False)["results"])
    assert server.calls == {}
