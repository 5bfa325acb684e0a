"""Embeddings from OpenAI's /v1/embeddings API, or any server that speaks it (Ollama, vLLM, LM Studio, ...).

Texts go in batches, vectors come back normalised to unit length (cosine is a
dot product). The dimension comes from the config, else from a table of known
models, else from one probe call made when the store is first opened.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from graphmem.config import OllamaEmbedder, OpenAIEmbedder
from graphmem.errors import ConfigError, ProviderError
from graphmem.llm.base import LoopClient, Retry, sdk_message, with_retries
from graphmem.llm.endpoints import with_v1
from graphmem.llm.openai import call_openai, import_openai
from graphmem.providers.embedders import Vector, _QueryCache, _unit_rows

KNOWN_DIMS = {
    "text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536,
    "nomic-embed-text": 768, "mxbai-embed-large": 1024, "all-minilm": 384, "bge-m3": 1024,
    "snowflake-arctic-embed": 1024,
}


def _endpoint(config: OpenAIEmbedder | OllamaEmbedder) -> tuple[str | None, str]:
    """(base URL, API key) as mem0 resolves them."""
    if isinstance(config, OllamaEmbedder):
        return with_v1(config.config.ollama_base_url), config.config.api_key or "ollama"
    base_url = config.config.openai_base_url or os.environ.get("OPENAI_BASE_URL") or None
    key = config.config.api_key or os.environ.get("OPENAI_API_KEY")
    if key:
        return base_url, key
    if base_url and "api.openai.com" not in base_url:
        return base_url, "not-needed"  # a self-hosted server usually wants no key; the SDK insists on one
    raise ConfigError("the openai embedder needs an API key: set embedder.config.api_key or OPENAI_API_KEY",
                      field="embedder.config.api_key")


class OpenAICompatibleEmbedder:
    """An Embedder over /v1/embeddings."""

    def __init__(self, config: OpenAIEmbedder | OllamaEmbedder) -> None:
        self._sdk = import_openai()
        self._config = config.config
        self.base_url, self._api_key = _endpoint(config)
        model = self._config.model
        self.description = f"{config.provider} embedding model {model!r} at {self.base_url or 'the OpenAI API'}"
        # Only OpenAI's own models take `dimensions` (as mem0: other servers reject it).
        self._send_dims = isinstance(config, OpenAIEmbedder) and self._config.embedding_dims is not None
        self._dims = self._config.embedding_dims or KNOWN_DIMS.get(model.split(":", 1)[0].rsplit("/", 1)[-1])
        self._identity = f"{config.provider} {model}" + (f" {self._config.embedding_dims}" if self._send_dims else "")
        self._cache = _QueryCache(self._config.cache_size)
        self._retry = Retry(self._config.max_retries, self._config.retry_delay)
        self._client: LoopClient[Any] = LoopClient(lambda: self._sdk.AsyncOpenAI(**self._client_kwargs()))

    def _client_kwargs(self) -> dict[str, Any]:
        return {"api_key": self._api_key, "base_url": self.base_url, "timeout": self._config.timeout,
                "max_retries": 0}

    def _request(self, texts: Sequence[str]) -> dict[str, Any]:
        # mem0 replaces newlines; OpenAI's docs once recommended it for older models.
        request: dict[str, Any] = {"model": self._config.model, "input": [t.replace("\n", " ") for t in texts],
                                   "encoding_format": "float"}
        if self._send_dims:
            request["dimensions"] = self._config.embedding_dims
        return request

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dims(self) -> int:
        """Known without a call when configured or a known model; else one blocking probe (run off the loop)."""
        if self._dims is None:
            kwargs = {**self._client_kwargs(), "max_retries": self._config.max_retries}
            try:
                with self._sdk.OpenAI(**kwargs) as client:
                    response = client.embeddings.create(**self._request(["dimension probe"]))
            except self._sdk.OpenAIError as exc:
                raise ProviderError(f"{self.description}: {sdk_message(exc)}") from exc
            self._dims = len(response.data[0].embedding)
        return self._dims

    async def _batch(self, texts: Sequence[str]) -> list[list[float]]:
        async def once() -> Any:
            client = self._client.get()
            return await call_openai(self._sdk, client.embeddings.create, self.description, **self._request(texts))

        response = await with_retries(once, self._retry, self.description)
        rows = [list(item.embedding) for item in sorted(response.data, key=lambda item: item.index)]
        if len(rows) != len(texts):
            raise ProviderError(f"{self.description} returned {len(rows)} vectors for {len(texts)} texts")
        return rows

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        size = self._config.batch_size
        rows = [row for start in range(0, len(texts), size) for row in await self._batch(texts[start:start + size])]
        if self._dims is None:
            self._dims = len(rows[0])
        width = {len(row) for row in rows}
        if width != {self._dims}:
            raise ProviderError(f"{self.description} returned vectors of {sorted(width)} dimensions, "
                                f"expected {self._dims}: set embedder.config.embedding_dims to the model's size")
        return _unit_rows(np.asarray(rows, dtype=np.float32))

    async def embed_query(self, text: str) -> Vector:
        return await self._cache.vector(text, self.embed_texts)

    async def aclose(self) -> None:
        await self._client.aclose()
