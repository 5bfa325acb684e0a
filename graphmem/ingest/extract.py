"""The extractor interface that the offline (spaCy) and LLM extractors implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from graphmem.models import ExtractedEntity, Extraction, Message


@dataclass(frozen=True)
class ExtractionContext:
    """What an extractor knows besides the messages.

    `self_name` is the entity that first-person words ("I", "my", "me") resolve
    to in user messages: the message's `name`, else the scope's user_id.
    `existing` maps ids of nearby stored memories to their text, for extractors
    that can say which memory a new fact updates.
    """

    self_name: str | None = None
    agent_name: str | None = None
    existing: dict[str, str] = field(default_factory=dict)
    instructions: str | None = None
    said_on: date | None = None  # the day the messages were said, when the add gave a timestamp


@dataclass(frozen=True)
class Verdict:
    """What a new fact does to the stored memories: nothing new (NONE), a new memory (ADD), or a
    change of the memory `memory_id`: its text replaced (UPDATE) or superseded (DELETE)."""

    event: Literal["ADD", "NONE", "UPDATE", "DELETE"]
    memory_id: str | None = None


class Extractor(Protocol):
    """Turns messages into facts, entities and relations (one call per add)."""

    async def extract(self, messages: Sequence[Message], context: ExtractionContext) -> Extraction: ...

    async def mentions(self, messages: Sequence[Message], context: ExtractionContext) -> list[list[ExtractedEntity]]:
        """Entities named in each message, for `infer=False` linking (no facts, no relations)."""
        ...
