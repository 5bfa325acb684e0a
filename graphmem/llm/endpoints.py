"""Where each provider's requests go, with which key and model: mem0's defaults and environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass

from graphmem.config import (
    AnthropicLlm,
    AzureOpenAILlm,
    DeepSeekLlm,
    LMStudioLlm,
    OllamaLlm,
    OpenAICompatibleLlm,
    OpenAILlm,
    VllmLlm,
    XAILlm,
)
from graphmem.errors import ConfigError

OPENAI_DEFAULT_MODEL = "gpt-4.1-nano-2025-04-14"
ANTHROPIC_DEFAULT_MODEL = "claude-sonnet-4-6"  # mem0's default

# provider -> (default model, default base URL, API key variable); a None variable means no key is needed.
_COMPATIBLE: dict[str, tuple[str, str | None, str | None]] = {
    "openai": (OPENAI_DEFAULT_MODEL, None, "OPENAI_API_KEY"),
    "azure_openai": (OPENAI_DEFAULT_MODEL, None, "LLM_AZURE_OPENAI_API_KEY"),
    "ollama": ("llama3.1:70b", None, None),
    "lmstudio": ("lmstudio-community/Meta-Llama-3.1-70B-Instruct-GGUF/Meta-Llama-3.1-70B-Instruct-IQ2_M.gguf",
                 None, None),
    "vllm": ("Qwen/Qwen2.5-32B-Instruct", "http://localhost:8000/v1", None),
    "deepseek": ("deepseek-chat", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    "xai": ("grok-4.3", "https://api.x.ai/v1", "XAI_API_KEY"),
    "groq": ("llama-3.3-70b-versatile", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "together": ("MiniMaxAI/MiniMax-M3", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
}
# Local servers ignore the key, but the SDK insists on one (mem0 sends the same placeholders).
_PLACEHOLDER_KEYS = {"ollama": "ollama", "lmstudio": "lm-studio", "vllm": "vllm-api-key"}
_NO_KEY_NEEDED = "not-needed"


@dataclass(frozen=True)
class Endpoint:
    """A resolved provider address: what the SDK client is built from and what errors name."""

    provider: str
    model: str
    base_url: str | None
    api_key: str
    azure_deployment: str | None = None
    api_version: str | None = None
    default_headers: dict[str, str] | None = None

    @property
    def description(self) -> str:
        return f"{self.provider} model {self.model!r} at {self.base_url or 'the default API address'}"


def with_v1(url: str) -> str:
    """Ollama's address as mem0 configures it (http://host:11434) → its OpenAI-compatible API."""
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def _env(name: str | None) -> str | None:
    return (os.environ.get(name) or None) if name else None


def _api_key(provider: str, given: str | None, variable: str | None, official: bool) -> str:
    key = given or _env(variable)
    if key:
        return key
    if provider in _PLACEHOLDER_KEYS:
        return _PLACEHOLDER_KEYS[provider]
    if not official:  # a self-hosted OpenAI-compatible server usually wants no key
        return _NO_KEY_NEEDED
    raise ConfigError(f"llm provider {provider!r} needs an API key: set llm.config.api_key or {variable}",
                      field="llm.config.api_key")


def _base_url(llm: OpenAILlm | OllamaLlm | LMStudioLlm | VllmLlm | DeepSeekLlm | XAILlm | OpenAICompatibleLlm,
              default: str | None) -> str | None:
    if isinstance(llm, OpenAILlm):
        return llm.config.openai_base_url or _env("OPENAI_BASE_URL")
    if isinstance(llm, OllamaLlm):
        return with_v1(llm.config.ollama_base_url)
    if isinstance(llm, LMStudioLlm):
        return llm.config.lmstudio_base_url
    if isinstance(llm, VllmLlm):
        return llm.config.vllm_base_url or _env("VLLM_BASE_URL") or default
    if isinstance(llm, DeepSeekLlm):
        return llm.config.deepseek_base_url or _env("DEEPSEEK_API_BASE") or default
    if isinstance(llm, XAILlm):
        return llm.config.xai_base_url or _env("XAI_API_BASE") or default
    return default


def openai_endpoint(llm: OpenAILlm | AzureOpenAILlm | OllamaLlm | LMStudioLlm | VllmLlm | DeepSeekLlm | XAILlm
                    | OpenAICompatibleLlm) -> Endpoint:
    """The address, key and model of an OpenAI-API provider (OpenAI itself, Azure, or a compatible server)."""
    model, default_url, key_variable = _COMPATIBLE[llm.provider]
    model = llm.config.model or model
    if isinstance(llm, AzureOpenAILlm):
        return _azure_endpoint(llm, model)
    base_url = _base_url(llm, default_url)
    official = base_url is None or base_url == default_url or "api.openai.com" in base_url
    key = _api_key(llm.provider, llm.config.api_key, key_variable, official)
    return Endpoint(llm.provider, model, base_url, key)


def _azure_endpoint(llm: AzureOpenAILlm, model: str) -> Endpoint:
    azure = llm.config.azure_kwargs
    key = azure.api_key or llm.config.api_key or _env("LLM_AZURE_OPENAI_API_KEY")
    endpoint = azure.azure_endpoint or _env("LLM_AZURE_ENDPOINT")
    version = azure.api_version or _env("LLM_AZURE_API_VERSION") or _env("OPENAI_API_VERSION")
    for value, name, variable in ((key, "api_key", "LLM_AZURE_OPENAI_API_KEY"),
                                  (endpoint, "azure_endpoint", "LLM_AZURE_ENDPOINT"),
                                  (version, "api_version", "LLM_AZURE_API_VERSION")):
        if not value:
            raise ConfigError(f"azure_openai needs {name}: set llm.config.azure_kwargs.{name} or {variable}",
                              field=f"llm.config.azure_kwargs.{name}")
    return Endpoint("azure_openai", model, endpoint, str(key),
                    azure_deployment=azure.azure_deployment or _env("LLM_AZURE_DEPLOYMENT"),
                    api_version=version, default_headers=azure.default_headers)


def anthropic_endpoint(llm: AnthropicLlm) -> Endpoint:
    base_url = llm.config.anthropic_base_url or _env("ANTHROPIC_BASE_URL")
    official = base_url is None or "api.anthropic.com" in base_url
    key = _api_key("anthropic", llm.config.api_key, "ANTHROPIC_API_KEY", official)
    return Endpoint("anthropic", llm.config.model or ANTHROPIC_DEFAULT_MODEL, base_url, key)
