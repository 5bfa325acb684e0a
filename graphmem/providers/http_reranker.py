"""Rerankers over HTTP: Cohere's v2 API and any server with a Cohere-style rerank endpoint.

    POST {base_url}/rerank  {"model", "query", "documents": [str, ...], "top_n"}
    ->  {"results": [{"index": int, "relevance_score": float}, ...]}

Cohere (api.cohere.com/v2), Jina (api.jina.ai/v1), vLLM, Infinity, llama.cpp's
server and LocalAI all speak this shape. httpx (the `rerank` extra) is imported
when such a reranker is configured.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from graphmem.config import CohereReranker, HttpReranker
from graphmem.errors import ConfigError, MissingDependencyError, ProviderError
from graphmem.llm.base import LoopClient, Retry, Transient, retryable_status, with_retries
from graphmem.providers.rerankers import Ranking


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError:
        raise MissingDependencyError(
            "the http and cohere rerankers need httpx: pip install 'graphmem[rerank]'") from None
    return httpx


def _api_key(config: CohereReranker | HttpReranker) -> str | None:
    if isinstance(config, HttpReranker):
        return config.config.api_key
    key = config.config.api_key or os.environ.get("COHERE_API_KEY")
    if not key:
        raise ConfigError("the cohere reranker needs an API key: set reranker.config.api_key or COHERE_API_KEY",
                          field="reranker.config.api_key")
    return key


def parse_ranking(payload: Any, count: int) -> Ranking:
    """The answer's (index, relevance) pairs, best first; a ProviderError when it is not the expected shape."""
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise ProviderError("the rerank answer has no 'results' list")
    ranking: Ranking = []
    for item in results:
        index = item.get("index") if isinstance(item, dict) else None
        relevance = item.get("relevance_score") if isinstance(item, dict) else None
        if not isinstance(index, int) or not 0 <= index < count or not isinstance(relevance, (int, float)):
            raise ProviderError(f"the rerank answer has a result without a valid index and relevance_score: {item}")
        ranking.append((index, float(relevance)))
    if len({index for index, _ in ranking}) != len(ranking):
        raise ProviderError("the rerank answer ranks a document twice")
    return sorted(ranking, key=lambda pair: -pair[1])  # most servers sort; not all promise to


class _Session:
    """An httpx.AsyncClient with the `close` coroutine LoopClient calls (httpx names it `aclose`)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def close(self) -> None:
        await self.client.aclose()


class HttpRerankClient:
    """A Reranker over a Cohere-style /rerank endpoint."""

    def __init__(self, config: CohereReranker | HttpReranker) -> None:
        self._httpx = _import_httpx()
        self._config = config.config
        self.url = self._config.base_url.rstrip("/") + "/rerank"
        api_key = _api_key(config)
        self._headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._retry = Retry(self._config.max_retries, self._config.retry_delay)
        self._session: LoopClient[_Session] = LoopClient(
            lambda: _Session(self._httpx.AsyncClient(timeout=self._config.timeout, headers=self._headers)))
        model = f" {self._config.model!r}" if self._config.model else ""
        self._description = f"{config.provider} reranker{model} at {self.url}"

    @property
    def description(self) -> str:
        return self._description

    @property
    def window(self) -> int | None:
        return self._config.top_k

    def _body(self, query: str, documents: Sequence[str], top_n: int) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query, "documents": list(documents), "top_n": top_n}
        if self._config.model:
            body["model"] = self._config.model
        return body

    async def _post(self, body: dict[str, Any]) -> Any:
        """One request: timeouts, connection errors, 408/409/429 and 5xx are Transient (retried)."""
        httpx = self._httpx
        try:
            response = await self._session.get().client.post(self.url, json=body)
        except httpx.TransportError as exc:  # timeouts and connection failures
            raise Transient(exc) from exc
        except httpx.HTTPError as exc:  # e.g. an answer that cannot be decoded: not worth retrying
            raise ProviderError(f"{self.description}: {type(exc).__name__}: {exc}") from exc
        transient = retryable_status(response.status_code, response.headers,
                                     ProviderError(f"HTTP {response.status_code}: {response.text[:200]}"))
        if transient is not None:
            raise transient
        if response.status_code >= 400:
            raise ProviderError(f"{self.description}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(f"{self.description}: the answer is not JSON") from exc

    async def rank(self, query: str, documents: Sequence[str], top_n: int) -> Ranking:
        if not documents:
            return []
        payload = await with_retries(lambda: self._post(self._body(query, documents, top_n)), self._retry,
                                     self.description)
        try:
            return parse_ranking(payload, len(documents))
        except ProviderError as exc:
            raise ProviderError(f"{self.description}: {exc}") from None

    async def aclose(self) -> None:
        await self._session.aclose()
