"""The reranker part of the configuration (mem0's `reranker` keys): a local cross-encoder, Cohere, or any
server with a Cohere-style /rerank endpoint. `graphmem.config` re-exports it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _RerankerBase(_Strict):
    """mem0's BaseRerankerConfig keys."""

    model: str | None = None
    api_key: str | None = None
    top_k: int | None = Field(default=None, gt=0, description=(
        "How many of the best fused results are reranked (at least the search's limit); else 20."))


class SentenceTransformerRerankerConfig(_RerankerBase):
    """A local cross-encoder (sentence_transformers.CrossEncoder), never downloaded at run time."""

    model: str | None = Field(default="cross-encoder/ms-marco-MiniLM-L-6-v2", description=(
        "A local path, or a model name already in the Hugging Face cache (HF_HUB_OFFLINE is set)."))
    device: str | None = Field(default=None, description="'cpu', 'cuda', ...; else sentence-transformers chooses.")
    batch_size: int = Field(default=32, gt=0, description="(query, memory) pairs per forward pass.")
    show_progress_bar: bool = Field(default=False, description="Accepted for mem0 configs; unused.")
    max_length: int | None = Field(default=None, gt=0, description="Tokens per pair; else the model's limit.")
    normalize: bool = Field(default=True, description="Accepted for mem0's huggingface configs; unused (scores "
                                                      "are the model's own, usually a sigmoid in [0, 1]).")


class _HttpRerankerBase(_RerankerBase):
    timeout: float = Field(default=10.0, gt=0, description="Seconds per request.")
    # A failed rerank falls back to the fused order: a few retries only, to bound a search's latency.
    max_retries: int = Field(default=1, ge=0, description="Retries after a timeout, HTTP 429 or 5xx.")
    retry_delay: float = Field(default=0.25, ge=0, description="First back-off pause in seconds; doubles per retry.")


class CohereRerankerConfig(_HttpRerankerBase):
    """mem0's cohere keys, over Cohere's v2 rerank API."""

    model: str | None = "rerank-v3.5"
    api_key: str | None = Field(default=None, description="Else COHERE_API_KEY.")
    base_url: str = Field(default="https://api.cohere.com/v2", description="POST {base_url}/rerank.")
    return_documents: bool = Field(default=False, description="Accepted for mem0 configs; unused.")
    max_chunks_per_doc: int | None = Field(default=None, description="Accepted for mem0 configs; unused (v1 only).")


class HttpRerankerConfig(_HttpRerankerBase):
    """Any server with a Cohere-style rerank endpoint: vLLM, Jina, Infinity, llama.cpp, LocalAI, ..."""

    base_url: str = Field(description="POST {base_url}/rerank with {model, query, documents, top_n}; e.g. "
                                      "http://localhost:8000/v1 (vLLM), https://api.jina.ai/v1.")
    api_key: str | None = Field(default=None, description="Sent as a Bearer token when set.")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.strip().lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.strip().rstrip("/")


class SentenceTransformerReranker(_Strict):
    provider: Literal["sentence_transformer", "huggingface"]
    config: SentenceTransformerRerankerConfig = Field(default_factory=SentenceTransformerRerankerConfig)


class CohereReranker(_Strict):
    provider: Literal["cohere"]
    config: CohereRerankerConfig = Field(default_factory=CohereRerankerConfig)


class HttpReranker(_Strict):
    provider: Literal["http"]
    config: HttpRerankerConfig


Reranker = SentenceTransformerReranker | CohereReranker | HttpReranker
