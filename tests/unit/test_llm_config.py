"""LLM and embedder configs: mem0's keys, defaults, environment variables, clear errors."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from graphmem import ConfigError, Memory, MemoryConfig, MissingDependencyError
from graphmem.config import AnthropicLlm, AzureOpenAILlm, OllamaLlm, OpenAILlm
from graphmem.llm import create_llm
from graphmem.llm.anthropic import sampling_enabled
from graphmem.llm.endpoints import anthropic_endpoint, openai_endpoint
from graphmem.providers.embedders import create_embedder

KEY_VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "VLLM_BASE_URL",
                 "LLM_AZURE_OPENAI_API_KEY", "LLM_AZURE_ENDPOINT", "LLM_AZURE_API_VERSION", "LLM_AZURE_DEPLOYMENT",
                 "OPENAI_API_VERSION", "DEEPSEEK_API_KEY", "GROQ_API_KEY")


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def llm_of(block: dict[str, Any]) -> Any:
    llm = MemoryConfig.parse({"llm": block}).llm
    assert llm is not None
    return llm


def test_mem0_openai_config_is_taken_as_is() -> None:
    llm = llm_of({"provider": "openai", "config": {
        "model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 1500, "top_p": 0.3, "api_key": "sk-test",
        "openai_base_url": "http://localhost:9999/v1", "enable_vision": False, "top_k": 1}})
    assert isinstance(llm, OpenAILlm)
    assert (llm.config.model, llm.config.temperature, llm.config.max_tokens, llm.config.top_p) == \
        ("gpt-4o-mini", 0.2, 1500, 0.3)
    endpoint = openai_endpoint(llm)
    assert (endpoint.model, endpoint.base_url, endpoint.api_key) == \
        ("gpt-4o-mini", "http://localhost:9999/v1", "sk-test")


def test_provider_defaults_to_openai_and_config_to_its_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://proxy.local/v1")
    for block in ({"config": {}}, {"provider": "openai", "config": None}, {"provider": "openai"}):
        endpoint = openai_endpoint(llm_of(block))
        assert (endpoint.model, endpoint.api_key, endpoint.base_url) == \
            ("gpt-4.1-nano-2025-04-14", "sk-env", "http://proxy.local/v1")


@pytest.mark.parametrize(("block", "field"), [
    ({"provider": "openai", "config": {"bogus": 1}}, "llm.config.bogus"),
    ({"provider": "ollama", "config": {"openai_base_url": "http://x"}}, "llm.config.openai_base_url"),
    ({"provider": "anthropic", "config": {"temperature": 3}}, "llm.config.temperature"),
    ({"provider": "azure_openai", "config": {"azure_kwargs": {"endpoint": "x"}}}, "llm.config.azure_kwargs.endpoint"),
    ({"provider": "gemini"}, "llm"),
])
def test_unknown_keys_and_providers_name_the_field(block: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryConfig.parse({"llm": block})
    assert caught.value.field == field
    assert field in str(caught.value)


def test_unknown_embedder_key_names_the_field() -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryConfig.parse({"embedder": {"provider": "openai", "config": {"dims": 8}}})
    assert caught.value.field == "embedder.config.dims"


def test_openai_without_a_key_fails_when_the_memory_is_built() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY") as caught:
        Memory({"llm": {"provider": "openai"}, "embedder": {"provider": "hash"},
                "graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}})
    assert caught.value.field == "llm.config.api_key"


def test_self_hosted_servers_need_no_key() -> None:
    custom = openai_endpoint(llm_of({"provider": "openai", "config": {"openai_base_url": "http://gpu-box:8000/v1"}}))
    assert custom.api_key == "not-needed"
    ollama = openai_endpoint(llm_of({"provider": "ollama", "config": {"model": "qwen3:8b"}}))
    assert isinstance(llm_of({"provider": "ollama"}), OllamaLlm)
    assert (ollama.base_url, ollama.api_key, ollama.model) == ("http://localhost:11434/v1", "ollama", "qwen3:8b")
    again = openai_endpoint(llm_of({"provider": "ollama", "config": {"ollama_base_url": "http://h:11434/v1/"}}))
    assert again.base_url == "http://h:11434/v1"


def test_compatible_aliases_have_mem0s_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert openai_endpoint(llm_of({"provider": "lmstudio"})).base_url == "http://localhost:1234/v1"
    assert openai_endpoint(llm_of({"provider": "vllm"})).base_url == "http://localhost:8000/v1"
    monkeypatch.setenv("VLLM_BASE_URL", "http://vllm.local/v1")
    assert openai_endpoint(llm_of({"provider": "vllm"})).base_url == "http://vllm.local/v1"
    monkeypatch.setenv("DEEPSEEK_API_KEY", "ds")
    deepseek = openai_endpoint(llm_of({"provider": "deepseek"}))
    assert (deepseek.base_url, deepseek.model, deepseek.api_key) == ("https://api.deepseek.com", "deepseek-chat", "ds")
    with pytest.raises(ConfigError, match="GROQ_API_KEY"):
        openai_endpoint(llm_of({"provider": "groq"}))


def test_anthropic_keys_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = llm_of({"provider": "anthropic", "config": {"model": "claude-haiku-4-5", "api_key": "k"}})
    assert isinstance(llm, AnthropicLlm)
    assert anthropic_endpoint(llm).base_url is None
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://claude-proxy")
    endpoint = anthropic_endpoint(llm_of({"provider": "anthropic"}))
    assert (endpoint.api_key, endpoint.base_url, endpoint.model) == ("env-key", "http://claude-proxy",
                                                                     "claude-sonnet-4-6")
    with pytest.raises(ConfigError, match=r"llm\.config\.anthropic_base_url"):
        MemoryConfig.parse({"llm": {"provider": "anthropic", "config": {"anthropic_base_url": 1}}})


@pytest.mark.parametrize(("model", "expected"), [
    ("claude-3-5-haiku-20241022", True), ("claude-sonnet-4-5", True), ("claude-sonnet-5", False),
    ("claude-opus-4-1-20250805", True), ("claude-opus-4-20250514", True), ("claude-opus-4-7", False),
    ("claude-3-7-sonnet-latest", True), ("claude-haiku-4-5", True), ("something-else", False)])
def test_sampling_parameters_follow_mem0s_rule(model: str, expected: bool) -> None:
    assert sampling_enabled(model, None) is expected
    assert sampling_enabled(model, not expected) is (not expected)


def test_azure_needs_endpoint_key_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as caught:
        openai_endpoint(llm_of({"provider": "azure_openai", "config": {"azure_kwargs": {"api_key": "k"}}}))
    assert caught.value.field == "llm.config.azure_kwargs.azure_endpoint"
    monkeypatch.setenv("LLM_AZURE_OPENAI_API_KEY", "k")
    monkeypatch.setenv("LLM_AZURE_ENDPOINT", "https://me.openai.azure.com")
    monkeypatch.setenv("LLM_AZURE_API_VERSION", "2024-10-21")
    monkeypatch.setenv("LLM_AZURE_DEPLOYMENT", "nano")
    llm = llm_of({"provider": "azure_openai"})
    assert isinstance(llm, AzureOpenAILlm)
    endpoint = openai_endpoint(llm)
    assert (endpoint.base_url, endpoint.azure_deployment, endpoint.api_version) == \
        ("https://me.openai.azure.com", "nano", "2024-10-21")


@pytest.mark.parametrize(("block", "extra"), [
    ({"provider": "openai", "config": {"api_key": "k"}}, "graphmem[openai]"),
    ({"provider": "ollama"}, "graphmem[openai]"),
    ({"provider": "anthropic", "config": {"api_key": "k"}}, "graphmem[anthropic]"),
])
def test_a_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch, block: dict[str, Any], extra: str) -> None:
    monkeypatch.setitem(sys.modules, extra.split("[")[1].rstrip("]"), None)  # makes the import fail
    with pytest.raises(MissingDependencyError, match=extra.replace("[", r"\[").replace("]", r"\]")):
        create_llm(llm_of(block))


def test_a_missing_sdk_is_reported_before_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(MissingDependencyError):
        create_llm(llm_of({"provider": "openai"}))
    with pytest.raises(MissingDependencyError, match=r"graphmem\[openai\]"):
        create_embedder(MemoryConfig.parse({"embedder": {"provider": "openai"}}).embedder)


def test_embedder_configs() -> None:
    config = MemoryConfig.parse({"embedder": {"provider": "openai", "config": {
        "model": "text-embedding-3-large", "embedding_dims": 256, "api_key": "k",
        "openai_base_url": "http://localhost:1/v1"}}})
    assert config.embedder.provider == "openai"
    embedder = create_embedder(config.embedder)
    assert embedder.dims == 256  # from the config: no call
    ollama = create_embedder(MemoryConfig.parse({"embedder": {"provider": "ollama"}}).embedder)
    assert ollama.dims == 768  # nomic-embed-text, known
    with pytest.raises(ConfigError) as caught:
        create_embedder(MemoryConfig.parse({"embedder": {"provider": "openai"}}).embedder)
    assert caught.value.field == "embedder.config.api_key"
