"""The tool registry: each tool's name, description, arguments model and handler over AsyncMemory.

OpenAI's and Anthropic's `tools=[...]`, the MCP server's tools and `schemas/tools/*.json` are all rendered
from `TOOLS`, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from pydantic import BaseModel

from graphmem.errors import NotFoundError
from graphmem.scope import Scope
from graphmem.search.as_of import check_when
from graphmem.tools import arguments as a

if TYPE_CHECKING:
    from graphmem.memory import AsyncMemory

Handler = Callable[["AsyncMemory", Any, Scope], Awaitable[Any]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[BaseModel]
    handler: Handler

    def json_schema(self) -> dict[str, Any]:
        """The arguments' JSON Schema, self-contained (no $ref) and without pydantic's titles."""
        return json_schema_of(self.arguments)

    def openai(self) -> dict[str, Any]:
        return {"type": "function",
                "function": {"name": self.name, "description": self.description, "parameters": self.json_schema()}}

    def anthropic(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.json_schema()}


def json_schema_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    cleaned: dict[str, Any] = _clean(schema, definitions)
    return cleaned


def _clean(node: Any, definitions: dict[str, Any]) -> Any:
    """Inline local $refs and drop titles: some function-calling APIs refuse $defs, and titles add nothing."""
    if isinstance(node, list):
        return [_clean(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _clean(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
    cleaned = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "properties":  # its keys are argument names, not schema keywords
            cleaned[key] = {name: _clean(sub, definitions) for name, sub in value.items()}
        else:
            cleaned[key] = _clean(value, definitions)
    return cleaned


def scope_of(args: a.ScopeArguments, defaults: Scope) -> Scope:
    """Each id from the call where it gives one, else the configured one."""
    return Scope.of(args.user_id or defaults.user_id, args.agent_id or defaults.agent_id,
                    args.run_id or defaults.run_id)


class _Ids(TypedDict):
    user_id: str | None
    agent_id: str | None
    run_id: str | None


def _ids(scope: Scope) -> _Ids:
    return {"user_id": scope.user_id, "agent_id": scope.agent_id, "run_id": scope.run_id}


# -- handlers ---------------------------------------------------------------------------------------


async def _add(memory: AsyncMemory, args: a.AddMemoryArguments, scope: Scope) -> Any:
    messages = args.messages if isinstance(args.messages, str) else [
        m.model_dump(exclude_none=True) for m in args.messages]
    return await memory.add(messages, metadata=args.metadata, infer=args.infer, timestamp=args.timestamp,
                            **_ids(scope_of(args, scope)))


async def _search(memory: AsyncMemory, args: a.SearchMemoryArguments, scope: Scope) -> Any:
    return await memory.search(args.query, limit=args.limit, filters=args.filters, as_of=check_when(args.as_of),
                               **_ids(scope_of(args, scope)))


async def _get_all(memory: AsyncMemory, args: a.GetMemoriesArguments, scope: Scope) -> Any:
    return await memory.get_all(limit=args.limit, filters=args.filters, **_ids(scope_of(args, scope)))


async def _get(memory: AsyncMemory, args: a.MemoryIdArguments, scope: Scope) -> Any:
    found = await memory.get(args.memory_id)
    if found is None:
        raise NotFoundError(f"Memory with id {args.memory_id} not found")
    return found


async def _update(memory: AsyncMemory, args: a.UpdateMemoryArguments, scope: Scope) -> Any:
    return await memory.update(args.memory_id, args.text, args.metadata)


async def _delete(memory: AsyncMemory, args: a.MemoryIdArguments, scope: Scope) -> Any:
    return await memory.delete(args.memory_id)


async def _history(memory: AsyncMemory, args: a.MemoryIdArguments, scope: Scope) -> Any:
    return {"memory_id": args.memory_id, "events": await memory.history(args.memory_id)}


async def _neighbourhood(memory: AsyncMemory, args: a.EntityNeighbourhoodArguments, scope: Scope) -> Any:
    return await memory.entity_neighbourhood(args.entity, hops=args.hops, as_of=args.as_of, limit=args.limit,
                                             **_ids(scope_of(args, scope)))


async def _paths(memory: AsyncMemory, args: a.PathsBetweenArguments, scope: Scope) -> Any:
    return await memory.paths_between(args.source, args.target, max_hops=args.max_hops, as_of=args.as_of,
                                      **_ids(scope_of(args, scope)))


async def _timeline(memory: AsyncMemory, args: a.EntityTimelineArguments, scope: Scope) -> Any:
    return await memory.entity_timeline(args.entity, limit=args.limit, **_ids(scope_of(args, scope)))


async def _what_was_true(memory: AsyncMemory, args: a.WhatWasTrueArguments, scope: Scope) -> Any:
    return await memory.what_was_true(args.as_of, entity=args.entity, limit=args.limit,
                                      **_ids(scope_of(args, scope)))


_LIST = [
    Tool("add_memory", "Remember something about the user: a fact, a preference, or conversation turns. Facts, "
         "the people/places/things they name and the relations between those are stored in a knowledge graph. "
         "Returns each memory with its event: ADD (new), UPDATE (refined an old one), DELETE (contradicted one).",
         a.AddMemoryArguments, _add),
    Tool("search_memory", "Find what is remembered about a question or topic. Returns the most relevant memories "
         "(with id and score) and the relations around them (source -relationship-> target). Use as_of to ask "
         "what was known at a past date.", a.SearchMemoryArguments, _search),
    Tool("get_memories", "List the stored memories of the user (newest first) and the relations among them, "
         "optionally filtered by metadata.", a.GetMemoriesArguments, _get_all),
    Tool("get_memory", "Read one memory by its id.", a.MemoryIdArguments, _get),
    Tool("update_memory", "Replace the text of a memory that is out of date or wrong; its history keeps the old "
         "text.", a.UpdateMemoryArguments, _update),
    Tool("delete_memory", "Forget one memory by its id, with the relations drawn from it.", a.MemoryIdArguments,
         _delete),
    Tool("memory_history", "How a memory changed: its ADD, UPDATE and DELETE events with old and new text, oldest "
         "first.", a.MemoryIdArguments, _history),
    Tool("entity_neighbourhood", "What is connected to a person, place or thing: its relations in the knowledge "
         "graph (e.g. John -works_at-> OpenAI, John -friend_of-> Sarah), up to 3 hops away, nearest first. Use "
         "for 'who does X know', 'where does X work'. found=false means no entity has that name.",
         a.EntityNeighbourhoodArguments, _neighbourhood),
    Tool("paths_between", "How two entities are connected: chains of relations between them (either direction), "
         "shortest first. Use for 'how does X know Y'.", a.PathsBetweenArguments, _paths),
    Tool("entity_timeline", "How an entity's relations changed over time: every relation, ended ones included, "
         "and a time-ordered list of changes (started / ended). Use for 'what changed for X', 'where did X "
         "work before'.", a.EntityTimelineArguments, _timeline),
    Tool("what_was_true", "The memories and relations that held at a past date (those said by then and not yet "
         "contradicted), optionally only one entity's relations. Use for 'what was true in May 2023'.",
         a.WhatWasTrueArguments, _what_was_true),
]
TOOLS: dict[str, Tool] = {tool.name: tool for tool in _LIST}
