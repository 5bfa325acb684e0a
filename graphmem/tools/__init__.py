"""graphmem's memory as tools a model can call: OpenAI and Anthropic definitions and one dispatcher.

    from graphmem.tools import openai_tools, anthropic_tools, arun_tool, run_tool

    client.chat.completions.create(model=..., messages=..., tools=openai_tools())
    client.messages.create(model=..., messages=..., tools=anthropic_tools())
    answer = run_tool(memory, call.function.name, call.function.arguments, user_id="alice")  # JSON text

The MCP server (`graphmem.mcp`) serves the same tools. A call with bad arguments, an unknown id or an
unknown tool does not raise from `run_tool`: the JSON says what went wrong and names the field, so the
model can correct itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pydantic

from graphmem.errors import GraphMemError, ValidationError
from graphmem.scope import Scope
from graphmem.tools.registry import TOOLS, Tool, json_schema_of

if TYPE_CHECKING:
    from graphmem.memory import AsyncMemory
    from graphmem.sync import Memory

__all__ = ["TOOLS", "Tool", "acall_tool", "anthropic_tools", "arun_tool", "error_payload", "json_schema_of",
           "openai_tools", "run_tool", "tool_names"]


def tool_names() -> list[str]:
    return list(TOOLS)


def _selected(names: list[str] | None) -> list[Tool]:
    if names is None:
        return list(TOOLS.values())
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise ValidationError(f"unknown tools {unknown}; known: {tool_names()}", field="names")
    return [TOOLS[n] for n in names]


def openai_tools(names: list[str] | None = None) -> list[dict[str, Any]]:
    """The tools as OpenAI's Chat Completions `tools=[...]` (all, or those named)."""
    return [tool.openai() for tool in _selected(names)]


def anthropic_tools(names: list[str] | None = None) -> list[dict[str, Any]]:
    """The tools as Anthropic's Messages `tools=[...]` (all, or those named)."""
    return [tool.anthropic() for tool in _selected(names)]


def parse_arguments(tool: Tool, arguments: Any) -> pydantic.BaseModel:
    """A model's arguments (a dict, or the JSON text OpenAI sends) checked against the tool's model; the
    first problem raises ValidationError naming the field (`messages.0.role`)."""
    if isinstance(arguments, str | bytes):
        try:
            arguments = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ValidationError(f"arguments are not valid JSON: {exc}", field="arguments") from None
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise ValidationError("arguments must be a JSON object", field="arguments")
    try:
        return tool.arguments.model_validate(arguments)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "arguments"
        raise ValidationError(f"invalid argument {field!r}: {first['msg']}", field=field) from None


async def acall_tool(memory: AsyncMemory, name: str, arguments: Any, *, user_id: str | None = None,
                     agent_id: str | None = None, run_id: str | None = None) -> Any:
    """Run a tool; its result as Python data. Raises GraphMemError (ValidationError names the field)."""
    tool = TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:
        raise ValidationError(f"unknown tool {name!r}; known: {tool_names()}", field="name")
    defaults = Scope.of(user_id, agent_id, run_id, required=False)
    return await tool.handler(memory, parse_arguments(tool, arguments), defaults)


def error_payload(exc: GraphMemError) -> dict[str, Any]:
    """What a model is shown for a failed call: the error's kind, message and the field it names."""
    error: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    field = getattr(exc, "field", None)
    if field:
        error["field"] = field
    return {"error": error}


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


async def arun_tool(memory: AsyncMemory, name: str, arguments: Any, *, user_id: str | None = None,
                    agent_id: str | None = None, run_id: str | None = None) -> str:
    """Run a model's tool call; JSON text for the model: the result, or `{"error": {type, message, field}}`.
    The ids are the defaults of the call's scope (the call's own ids win)."""
    try:
        result = await acall_tool(memory, name, arguments, user_id=user_id, agent_id=agent_id, run_id=run_id)
    except GraphMemError as exc:
        return to_json(error_payload(exc))
    return to_json(result)


def run_tool(memory: Memory, name: str, arguments: Any, *, user_id: str | None = None, agent_id: str | None = None,
             run_id: str | None = None) -> str:
    """`arun_tool` for the sync `Memory` (runs on its loop)."""
    from graphmem.sync import submit

    call = arun_tool(memory.async_memory, name, arguments, user_id=user_id, agent_id=agent_id, run_id=run_id)
    return submit(memory, call).result()
