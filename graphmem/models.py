"""Pure data: what the extractors produce and what the API returns.

These pydantic models are the source of truth for `schemas/*.json`
(`python -m graphmem.schemas` regenerates them; a test fails on drift).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EventName = Literal["ADD", "UPDATE", "DELETE", "NONE"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(_Frozen):
    """One conversation message, as mem0 takes it."""

    role: str = "user"
    content: str
    name: str | None = None


class ExtractedEntity(_Frozen):
    """An entity named in the text: canonical name as written, and a free-form type."""

    name: str = Field(min_length=1, description="Canonical name, in its original form and language.")
    type: str = Field(default="thing", description="person, organization, location, date, event, thing, ...")
    aliases: list[str] = Field(default_factory=list, description="Other names used for the same entity.")


class ExtractedRelation(_Frozen):
    """A subject-predicate-object triple between two extracted entities."""

    source: str = Field(min_length=1, description="Name of the source entity.")
    relation: str = Field(min_length=1, description="Predicate in lower_snake_case, e.g. works_at.")
    target: str = Field(min_length=1, description="Name of the target entity.")
    fact: str = Field(default="", description="The sentence this relation states.")
    valid_at: str | None = Field(default=None, description="ISO-8601 time from which it holds, if stated.")


class ExtractedFact(_Frozen):
    """An atomic memory worth keeping, with the entities it mentions."""

    text: str = Field(min_length=1)
    entities: list[str] = Field(default_factory=list, description="Names of the entities it mentions.")
    updates: str | None = Field(default=None, description="Id of an existing memory this fact updates.")
    contradicts: str | None = Field(default=None, description="Id of an existing memory this fact contradicts.")


class Extraction(_Frozen):
    """What one extractor call returns for a batch of messages."""

    facts: list[ExtractedFact] = Field(default_factory=list)
    entities: list[ExtractedEntity] = Field(default_factory=list)
    relations: list[ExtractedRelation] = Field(default_factory=list)


class MemoryRecord(BaseModel):
    """A memory as the API returns it (mem0's MemoryItem plus scope)."""

    model_config = ConfigDict(extra="allow")

    id: str
    memory: str
    hash: str | None = None
    metadata: dict[str, Any] | None = None
    score: float | None = None
    created_at: str | None = None
    updated_at: str | None = None
    user_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None
    actor_id: str | None = None
    role: str | None = None
    memory_type: str | None = None
    invalid_at: str | None = Field(default=None, description="Set on a superseded memory (get, search with as_of).")
    rerank_score: float | None = Field(default=None, description="The reranker's score, when search reranked.")
    explain: dict[str, float] | None = Field(default=None, description="search(explain=True): each signal's score.")


class RelationRecord(BaseModel):
    """A relation as search returns it; `destination` mirrors `target` for mem0 code."""

    model_config = ConfigDict(extra="allow")

    source: str
    relationship: str
    target: str
    destination: str
    fact: str = ""
    score: float = 0.0
    hops: int = 1
    valid_at: str | None = None
    invalid_at: str | None = None


class HistoryEvent(BaseModel):
    """One row of `history()`, mem0's shape."""

    id: str
    memory_id: str
    old_memory: str | None
    new_memory: str | None
    event: EventName
    created_at: str
    updated_at: str | None = None
    is_deleted: bool = False
    actor_id: str | None = None
    role: str | None = None
