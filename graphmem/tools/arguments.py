"""The tools' arguments as pydantic models: the one source of their JSON Schemas (OpenAI, Anthropic, MCP,
`schemas/tools/*.json`) and of the checks a model's call goes through before it reaches AsyncMemory."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_LIMIT = 100

EntityName = Field(min_length=1, max_length=200,
                   description="An entity's name as people say it ('John', 'OpenAI'); case and spacing do not "
                               "matter, and known aliases match too.")
AsOf = Field(default=None, description="An ISO-8601 date or time (e.g. '2024-05-01' or '2024-05-01T09:30:00Z'); "
                                       "answer with what was true then instead of now.")
MemoryId = Field(min_length=1, description="A memory's id, as returned by add_memory, search_memory or "
                                           "get_memories.")


class ScopeArguments(BaseModel):
    """Whose memory: any of the three ids, defaulting to the scope the tools were started with."""

    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(default=None, min_length=1,
                                description="The user whose memory this is. Defaults to the configured user.")
    agent_id: str | None = Field(default=None, min_length=1,
                                 description="The agent whose memory this is. Defaults to the configured agent.")
    run_id: str | None = Field(default=None, min_length=1,
                               description="One conversation or session. Defaults to the configured run.")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"] = Field(description="Who said it.")
    content: str = Field(min_length=1, description="What was said.")
    name: str | None = Field(default=None, description="The speaker's name, when known.")


class AddMemoryArguments(ScopeArguments):
    messages: str | list[ChatMessage] = Field(
        description="What to remember: a text, or the conversation turns it came from.")
    metadata: dict[str, Any] | None = Field(
        default=None, description="JSON object stored with each memory, for filtering later (e.g. {'topic': 'work'}).")
    infer: bool = Field(default=True, description="true: extract facts, entities and relations from the messages; "
                                                  "false: store each message verbatim.")
    timestamp: str | int | None = Field(
        default=None, description="When it was said: ISO-8601 or Unix seconds. Defaults to now.")


class SearchMemoryArguments(ScopeArguments):
    query: str = Field(min_length=1, description="A question or topic in natural language.")
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT, description="How many memories to return at most.")
    filters: dict[str, Any] | None = Field(
        default=None, description="Conditions on metadata, mem0-style: {'topic': 'work'}, "
                                  "{'rating': {'gte': 4}}, {'AND': [...]}, {'OR': [...]}.")
    as_of: str | None = AsOf


class GetMemoriesArguments(ScopeArguments):
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="How many memories to return, newest first.")
    filters: dict[str, Any] | None = Field(default=None, description="Conditions on metadata, as in search_memory.")


class MemoryIdArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    memory_id: str = MemoryId


class UpdateMemoryArguments(MemoryIdArguments):
    text: str = Field(min_length=1, description="The memory's new text, replacing the old (history keeps it).")
    metadata: dict[str, Any] | None = Field(default=None, description="New metadata; omitted keeps the old.")


class EntityNeighbourhoodArguments(ScopeArguments):
    entity: str = EntityName
    hops: int = Field(default=1, ge=1, le=3, description="How far to walk: 1 gives the entity's own relations, "
                                                         "2 also its neighbours' relations, up to 3.")
    as_of: str | None = AsOf
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="How many relations to return at most.")


class PathsBetweenArguments(ScopeArguments):
    source: str = EntityName
    target: str = EntityName
    max_hops: int = Field(default=3, ge=1, le=3, description="The longest chain of relations to look for.")
    as_of: str | None = AsOf


class EntityTimelineArguments(ScopeArguments):
    entity: str = EntityName
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="How many relations and changes to return.")


class WhatWasTrueArguments(ScopeArguments):
    as_of: str = Field(min_length=1, description="An ISO-8601 date or time, e.g. '2024-05-01'.")
    entity: str | None = Field(default=None, min_length=1,
                               description="Only this entity's relations (its memories are not narrowed).")
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="How many memories and relations at most.")
