"""LLM extraction through the real openai and anthropic SDKs, against the scripted server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from llm_support import EMPTY, PIZZA, entity, fact, llm_config, llm_memory, memory_config

from graphmem import ExtractionError, ProviderError
from graphmem.testing.llm_server import Fault, LLMServer

PROVIDERS = ["openai", "anthropic"]
ENDPOINT = {"openai": "chat", "anthropic": "messages"}


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer({"pizza": PIZZA, "hello": EMPTY}) as running:
        yield running


@pytest.mark.parametrize("provider", PROVIDERS)
def test_add_makes_one_llm_call_and_search_none(server: LLMServer, provider: str) -> None:
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        added = memory.add("I love pizza", user_id="alex")
        assert [r["memory"] for r in added["results"]] == ["alex loves pizza"]
        assert added["relations"]["added_entities"] == [{"source": "alex", "relationship": "loves",
                                                         "target": "pizza"}]
        assert server.calls == {ENDPOINT[provider]: 1}

        found = memory.search("what food does alex like? pizza", user_id="alex")
        assert found["results"][0]["memory"] == "alex loves pizza"
        assert any(r["relationship"] == "loves" for r in found["relations"])
        memory.get_all(user_id="alex")
        assert server.calls == {ENDPOINT[provider]: 1}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_request_carries_schema_conversation_and_speaker(server: LLMServer, provider: str) -> None:
    with llm_memory(memory_config(llm_config(server, provider, model="test-model", max_tokens=321))) as memory:
        memory.add([{"role": "user", "content": "I love pizza"},
                    {"role": "assistant", "content": "Noted!"}], user_id="alex", prompt="Only record food.")
    request = server.requests[0]
    assert request.body["model"] == "test-model"
    assert request.body["max_tokens"] == 321
    assert set(request.schema["properties"]) == {"facts", "entities", "relations"}  # type: ignore[index]
    assert "user: I love pizza\nassistant: Noted!" in request.text
    assert "The user is: alex" in request.text
    assert "Only record food." in request.system
    if provider == "openai":
        assert request.mode == "json_schema"
        assert request.body["response_format"]["json_schema"]["strict"] is True
    else:
        assert request.mode == "tools"
        assert request.body["tool_choice"] == {"type": "tool", "name": "LLMExtraction"}


def test_openai_falls_back_to_a_tool_call_and_remembers(server: LLMServer) -> None:
    server.json_schema = False
    with llm_memory(memory_config(llm_config(server))) as memory:
        memory.add("I love pizza", user_id="alex")
        assert [r.mode for r in server.requests] == ["json_schema", "tools"]
        memory.add("I love pizza, really", user_id="sam")
        assert [r.mode for r in server.requests] == ["json_schema", "tools", "tools"]
        assert memory.get_all(user_id="sam")["results"][0]["memory"] == "alex loves pizza"


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_openai_structured_output_switch(server: LLMServer, mode: str) -> None:
    with llm_memory(memory_config(llm_config(server, structured_output=mode))) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
    request = server.requests[0]
    assert request.mode == ("tools" if mode == "tools" else "text")
    assert server.calls == {"chat": 1}
    if mode == "json":
        assert '"facts"' in request.system  # the schema travels in the prompt


def test_a_fixed_mode_the_server_rejects_is_a_provider_error(server: LLMServer) -> None:
    server.json_schema = False
    with llm_memory(memory_config(llm_config(server, structured_output="json_schema"))) as memory, \
            pytest.raises(ProviderError, match="HTTP 400"):
        memory.add("I love pizza", user_id="alex")
    assert server.calls == {"chat": 1}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed_output_is_repaired_with_one_more_call(server: LLMServer, provider: str) -> None:
    server.fail(Fault.malformed())
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        assert [r["memory"] for r in memory.add("I love pizza", user_id="alex")["results"]] == ["alex loves pizza"]
    assert server.calls == {ENDPOINT[provider]: 2}
    repair = server.requests[1]
    assert "could not be used" in repair.text
    assert "I love pizza" in repair.text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_truncated_output_is_repaired(server: LLMServer, provider: str) -> None:
    server.fail(Fault.truncated())
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
    assert server.calls == {ENDPOINT[provider]: 2}
    assert "cut off" in server.requests[1].text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_output_still_bad_after_the_repair_raises_and_writes_nothing(server: LLMServer, provider: str) -> None:
    server.fail(Fault.malformed(), Fault.truncated())
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        with pytest.raises(ExtractionError, match="after one repair attempt") as caught:
            memory.add("I love pizza", user_id="alex")
        assert "test-key" not in str(caught.value)
        assert memory.get_all(user_id="alex") == {"results": [], "relations": []}
    assert server.calls == {ENDPOINT[provider]: 2}


def test_schema_invalid_json_is_repaired(server: LLMServer) -> None:
    answers = iter([{"facts": [{"text": "alex loves lasagne"}]}, PIZZA])
    server.script("lasagne", lambda request: next(answers))
    with llm_memory(memory_config(llm_config(server))) as memory:
        assert memory.add("I love lasagne", user_id="alex")["results"]
    assert "does not match the schema" in server.requests[1].text


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_retried(server: LLMServer, provider: str, status: int) -> None:
    server.fail(Fault.http(status), Fault.http(status, retry_after=0))
    with llm_memory(memory_config(llm_config(server, provider))) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
    assert server.calls == {ENDPOINT[provider]: 3}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeouts_are_retried(server: LLMServer, provider: str) -> None:
    server.fail(Fault.timeout(5.0))
    with llm_memory(memory_config(llm_config(server, provider, timeout=0.3))) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
    assert server.calls == {ENDPOINT[provider]: 2}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_give_up_with_a_provider_error_naming_the_endpoint(server: LLMServer, provider: str) -> None:
    server.fail(*[Fault.http(429)] * 3)
    with llm_memory(memory_config(llm_config(server, provider, max_retries=2, model="m-1"))) as memory:
        with pytest.raises(ProviderError) as caught:
            memory.add("I love pizza", user_id="alex")
        message = str(caught.value)
        assert provider in message and "'m-1'" in message and "127.0.0.1" in message
        assert "HTTP 429" in message and "3 attempts" in message
        assert type(caught.value.__cause__).__name__ == "RateLimitError"  # the SDK's error, chained
        assert memory.get_all(user_id="alex")["results"] == []
    assert server.calls == {ENDPOINT[provider]: 3}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_client_errors_are_not_retried(server: LLMServer, provider: str) -> None:
    server.fail(Fault.http(401))
    with llm_memory(memory_config(llm_config(server, provider))) as memory, \
            pytest.raises(ProviderError, match="HTTP 401"):
        memory.add("I love pizza", user_id="alex")
    assert server.calls == {ENDPOINT[provider]: 1}


def test_existing_memories_are_offered_by_short_id(server: LLMServer) -> None:
    """The extractor maps the model's m1 back to the memory id (Memory passes `existing` in phase 2)."""
    import asyncio

    from graphmem.config import MemoryConfig
    from graphmem.ingest.extract import ExtractionContext
    from graphmem.ingest.llm_extract import LLMExtractor
    from graphmem.llm import create_llm
    from graphmem.models import Message

    config = MemoryConfig.parse({"llm": llm_config(server)})
    assert config.llm is not None
    server.script("Berlin", {"facts": [fact("alex lives in Berlin", "alex", "Berlin", contradicts="m1")],
                             "entities": [entity("alex", "person"), entity("Berlin", "location")],
                             "relations": []})

    async def scenario() -> Any:
        extractor = LLMExtractor(create_llm(config.llm))  # type: ignore[arg-type]
        try:
            context = ExtractionContext(self_name="alex", existing={"0b7e-uuid": "alex lives in Paris"})
            return await extractor.extract([Message(content="I moved to Berlin")], context)
        finally:
            await extractor.aclose()

    extraction = asyncio.run(scenario())
    assert extraction.facts[0].contradicts == "0b7e-uuid"
    assert "[m1] alex lives in Paris" in server.requests[0].text


def test_azure_openai_goes_through_the_azure_client(server: LLMServer) -> None:
    azure = {"provider": "azure_openai", "config": {
        "model": "gpt-4.1-nano", "retry_delay": 0.0,
        "azure_kwargs": {"api_key": "azure-key", "azure_endpoint": server.url, "azure_deployment": "extractor",
                         "api_version": "2024-10-21", "default_headers": {"x-team": "memory"}}}}
    with llm_memory(memory_config(azure)) as memory:
        assert memory.add("I love pizza", user_id="alex")["results"]
    assert server.requests[0].path == "/openai/deployments/extractor/chat/completions"
    assert server.calls == {"chat": 1}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_procedural_memory_is_one_text_call(server: LLMServer, provider: str) -> None:
    import asyncio

    from graphmem.config import MemoryConfig
    from graphmem.ingest.extract import ExtractionContext
    from graphmem.ingest.llm_extract import LLMExtractor
    from graphmem.llm import create_llm
    from graphmem.models import Message

    summary = "**Task Objective**: book a flight\n1. **Agent Action**: searched flights"
    server.script("book", f"```markdown\n{summary}\n```")
    server.script("empty", "   ")
    llm = MemoryConfig.parse({"llm": llm_config(server, provider)}).llm
    assert llm is not None
    steps = [Message(role="user", content="Please book a flight to Rome"),
             Message(role="assistant", content="Searched flights: AZ 123 at 9:00")]

    async def scenario() -> tuple[str, str]:
        extractor = LLMExtractor(create_llm(llm))
        try:
            first = await extractor.summarize_procedure(steps, ExtractionContext(agent_name="travel"))
            custom = await extractor.summarize_procedure(steps, ExtractionContext(), prompt="Summarise tersely.")
            with pytest.raises(ExtractionError, match="empty procedural memory"):
                await extractor.summarize_procedure([Message(content="empty")], ExtractionContext())
            server.fail(Fault.truncated())
            with pytest.raises(ExtractionError, match="max_tokens"):
                await extractor.summarize_procedure(steps, ExtractionContext())
            return first, custom
        finally:
            await extractor.aclose()

    first, _ = asyncio.run(scenario())
    assert first == summary  # the code fence is stripped
    requests = server.requests
    assert server.calls == {ENDPOINT[provider]: 4}
    assert requests[0].mode == "text"
    assert "Create procedural memory of the above conversation." in requests[0].text
    assert "assistant: Searched flights: AZ 123 at 9:00" in requests[0].text
    assert "procedural memory of an AI agent" in requests[0].system
    assert requests[1].system == "Summarise tersely."


@pytest.mark.slow
def test_infer_false_makes_no_llm_call(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory:
        added = memory.add("I met Sarah in Paris", user_id="alex", infer=False)
        assert [r["memory"] for r in added["results"]] == ["I met Sarah in Paris"]
    assert server.calls == {}


@pytest.mark.parametrize(("model", "config", "expected", "absent"), [
    ("gpt-4.1-mini", {}, {"max_tokens": 2000, "temperature": 0.1, "top_p": 0.1}, {"max_completion_tokens"}),
    ("o3-mini", {"reasoning_effort": "low"}, {"max_completion_tokens": 2000, "reasoning_effort": "low"},
     {"temperature", "top_p", "max_tokens"}),
    ("my-finetune", {"is_reasoning_model": True}, {"max_completion_tokens": 2000}, {"temperature"}),
    ("gpt-4o", {"store": False}, {"store": False}, set()),
])
def test_openai_sampling_parameters_follow_mem0(server: LLMServer, model: str, config: dict[str, Any],
                                                 expected: dict[str, Any], absent: set[str]) -> None:
    with llm_memory(memory_config(llm_config(server, model=model, **config))) as memory:
        memory.add("I love pizza", user_id="alex")
    body = server.requests[0].body
    assert {k: body.get(k) for k in expected} == expected
    assert not absent & set(body)


def test_anthropic_sampling_goes_only_to_models_that_take_it(server: LLMServer) -> None:
    for model in ("claude-haiku-4-5", "claude-opus-4-7"):
        with llm_memory(memory_config(llm_config(server, "anthropic", model=model, temperature=0.3))) as memory:
            memory.add("I love pizza", user_id=model)
    haiku, opus = (r.body for r in server.requests)
    assert haiku["temperature"] == 0.3 and "top_p" not in haiku
    assert "temperature" not in opus


def test_an_unscripted_prompt_is_a_clear_error(server: LLMServer) -> None:
    with llm_memory(memory_config(llm_config(server))) as memory, \
            pytest.raises(ProviderError, match="no scripted answer"):
        memory.add("Something else entirely", user_id="alex")
    assert [r.mode for r in server.requests] == ["json_schema", "tools", "text"]  # every way was tried
