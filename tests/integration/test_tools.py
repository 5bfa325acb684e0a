"""graphmem.tools: definitions the OpenAI and Anthropic SDKs send (checked by the local LLMServer as the
APIs check them), a tool-call round trip through each SDK, and the dispatcher's errors naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from graphmem import Memory
from graphmem.testing.llm_server import LLMRequest, LLMServer, Text, ToolCall
from graphmem.tools import anthropic_tools, openai_tools, run_tool, tool_names

# Kuzu in memory, hash embedder (see tests/conftest.py): fast, and the offline extractor still builds the graph.
IN_MEMORY = {"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}, "embedder": {"provider": "hash"}}

JOHN = "John works at OpenAI and is friends with Sarah"
QUESTION = "Where does John work?"
EXPECTED_TOOLS = {"add_memory", "search_memory", "get_memories", "get_memory", "update_memory", "delete_memory",
                  "memory_history", "entity_neighbourhood", "paths_between", "entity_timeline", "what_was_true"}


@pytest.fixture(scope="module")
def memory() -> Iterator[Memory]:
    with Memory(IN_MEMORY) as mem:
        mem.add(JOHN, user_id="alice")
        yield mem


def model(request: LLMRequest) -> Any:
    """A model that looks its answer up: it calls search_memory first, then answers from the tool's result."""
    if "works at OpenAI" in request.text:  # the tool result is in the conversation: answer with it
        return Text("John works at OpenAI (from memory).")
    return ToolCall("search_memory", {"query": QUESTION, "limit": 3})


def test_every_tool_is_defined_for_both_apis() -> None:
    assert set(tool_names()) == EXPECTED_TOOLS
    for tool in openai_tools():
        assert tool["type"] == "function" and tool["function"]["parameters"]["type"] == "object"
        assert "$defs" not in json.dumps(tool) and len(tool["function"]["description"]) > 20
    assert [t["name"] for t in anthropic_tools()] == tool_names()
    assert [t["function"]["name"] for t in openai_tools(["search_memory"])] == ["search_memory"]


def test_openai_round_trip(memory: Memory) -> None:
    with LLMServer(model) as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0)
        messages: list[Any] = [{"role": "user", "content": QUESTION}]
        first = client.chat.completions.create(model="gpt-test", messages=messages, tools=openai_tools())
        [call] = first.choices[0].message.tool_calls or []
        assert call.type == "function" and call.function.name == "search_memory"
        result = run_tool(memory, call.function.name, call.function.arguments, user_id="alice")
        assert json.loads(result)["results"][0]["memory"] == JOHN
        messages += [first.choices[0].message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": call.id, "content": result}]
        second = client.chat.completions.create(model="gpt-test", messages=messages, tools=openai_tools())
        assert second.choices[0].message.content == "John works at OpenAI (from memory)."
        assert JOHN in server.requests[-1].text  # the model's second turn saw the tool's answer
        client.close()


def test_anthropic_round_trip(memory: Memory) -> None:
    with LLMServer(model) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
        messages: list[Any] = [{"role": "user", "content": QUESTION}]
        first = client.messages.create(model="claude-test", max_tokens=256, messages=messages,
                                       tools=anthropic_tools())  # type: ignore[arg-type]
        [use] = [block for block in first.content if block.type == "tool_use"]
        assert use.name == "search_memory" and first.stop_reason == "tool_use"
        result = run_tool(memory, use.name, use.input, user_id="alice")
        messages += [{"role": "assistant", "content": [block.model_dump() for block in first.content]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": result}]}]
        second = client.messages.create(model="claude-test", max_tokens=256, messages=messages,
                                        tools=anthropic_tools())  # type: ignore[arg-type]
        assert [b.text for b in second.content if b.type == "text"] == ["John works at OpenAI (from memory)."]
        assert JOHN in server.requests[-1].text
        client.close()


def test_the_server_refuses_a_broken_tool_definition() -> None:
    broken = openai_tools(["get_memory"])
    broken[0]["function"]["parameters"] = {"type": "object", "properties": {"x": {"type": "nope"}}}
    with LLMServer(model) as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0)
        with pytest.raises(openai.BadRequestError, match="get_memory"):
            client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "hi"}],
                                           tools=broken)
        client.close()


@pytest.mark.parametrize(("name", "arguments", "field"), [
    ("search_memory", {"query": "x", "limit": 0}, "limit"),
    ("search_memory", {"limit": 3}, "query"),
    ("search_memory", '{"query": ', "arguments"),
    ("search_memory", {"query": "x", "colour": "red"}, "colour"),
    ("add_memory", {"messages": [{"role": "robot", "content": "hi"}]}, "messages"),
    ("entity_neighbourhood", {"entity": "John", "as_of": "someday"}, "as_of"),
    ("what_was_true", {"as_of": "2024-01-01", "user_id": 7}, "user_id"),
    ("forget_everything", {}, "name"),
])
def test_bad_calls_come_back_as_errors_naming_the_field(memory: Memory, name: str, arguments: Any,
                                                        field: str) -> None:
    error = json.loads(run_tool(memory, name, arguments, user_id="alice"))["error"]
    assert error["field"].split(".")[0] == field and error["type"] == "ValidationError"


def test_a_call_without_any_scope_names_user_id(memory: Memory) -> None:
    assert json.loads(run_tool(memory, "get_memories", {}))["error"]["field"] == "user_id"
    assert json.loads(run_tool(memory, "get_memories", {"user_id": "alice"}))["results"][0]["memory"] == JOHN


def test_committed_tool_schemas_match_the_registry() -> None:
    from graphmem.resources import data_dir
    from graphmem.tools.__main__ import drifted, render
    from graphmem.tools.registry import TOOLS

    folder = data_dir("schemas") / "tools"
    assert drifted(folder) == [], "run python -m graphmem.tools"
    schema = json.loads(render(TOOLS["paths_between"]))
    assert schema["title"] == "paths_between" and schema["required"] == ["source", "target"]


def test_every_tool_runs_through_the_dispatcher() -> None:
    def call(name: str, **arguments: Any) -> Any:
        answer = json.loads(run_tool(mem, name, arguments, user_id="dana"))
        assert "error" not in answer, answer
        return answer

    with Memory(IN_MEMORY) as mem:
        [added] = call("add_memory", messages=[{"role": "user", "content": JOHN}], metadata={"topic": "work"},
                       timestamp="2024-01-01T00:00:00Z")["results"]
        assert call("get_memory", memory_id=added["id"])["metadata"] == {"topic": "work"}
        assert call("get_memories", filters={"topic": "work"})["results"][0]["id"] == added["id"]
        assert call("paths_between", source="OpenAI", target="Sarah")["paths"][0]["hops"] == 2
        assert [c["change"] for c in call("entity_timeline", entity="John")["changes"]] == ["started"] * 2
        assert call("what_was_true", as_of="2023-12-31")["memories"] == []
        assert call("search_memory", query="OpenAI", as_of="2024-02-01")["results"][0]["id"] == added["id"]
        call("update_memory", memory_id=added["id"], text="John works at Anthropic")
        events = call("memory_history", memory_id=added["id"])["events"]
        assert [e["event"] for e in events] == ["ADD", "UPDATE"] and events[-1]["new_memory"].endswith("Anthropic")
        call("delete_memory", memory_id=added["id"])
        assert call("get_memories")["results"] == []
