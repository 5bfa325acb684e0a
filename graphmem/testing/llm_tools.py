"""Agent loops on LLMServer: answers that call a tool or end with text, and the checks of a request's tool
definitions that the real APIs make (see graphmem.testing.llm_server)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """An answer that calls one of the request's offered tools with these arguments."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    """An answer of plain text, also when the request offers tools (a model's final turn)."""

    text: str


def part_text(part: Mapping[str, Any]) -> str:
    """A content block's text; an Anthropic tool_result's content (text or text blocks) too."""
    if part.get("type") == "tool_result":
        inner = part.get("content")
        return inner if isinstance(inner, str) else "".join(
            p.get("text", "") for p in inner or [] if isinstance(p, dict))
    return str(part.get("text", ""))


_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def tool_problem(endpoint: str, tools: Any) -> str | None:
    """What is wrong with a request's tool definitions, as the real APIs would refuse them; None if nothing."""
    if not isinstance(tools, list):
        return "tools must be a list"
    for index, tool in enumerate(tools):
        if endpoint == "chat":
            function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
            name, schema = (function or {}).get("name"), (function or {}).get("parameters", {"type": "object"})
        else:
            function = tool if isinstance(tool, dict) else None
            name, schema = (function or {}).get("name"), (function or {}).get("input_schema")
        if function is None:
            return f"tools[{index}] is not a function tool"
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            return f"tools[{index}].name must match {_TOOL_NAME.pattern}"
        if not isinstance(function.get("description", ""), str):
            return f"tools[{index}].description must be a string"
        problem = _schema_problem(schema)
        if problem:
            return f"tools[{index}] ({name}): {problem}"
    return None


def _schema_problem(schema: Any) -> str | None:
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return "the arguments' JSON Schema must be an object schema"
    try:
        import jsonschema
    except ImportError:  # the structural checks above still ran
        return None
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"invalid JSON Schema: {exc.message}"
    return None


def offered(body: Mapping[str, Any]) -> set[str]:
    return {tool.get("function", tool).get("name") for tool in body.get("tools") or []}
