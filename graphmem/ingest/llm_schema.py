"""The JSON the extraction LLM answers with (`schemas/extraction.schema.json`), and the verdicts
of the reconciliation call (`schemas/reconcile.schema.json`).

It differs from `models.Extraction` only where OpenAI's strict structured output
demands: every property is required (optional ones are nullable instead) and no
object takes extra keys. `llm_extract.to_extraction` turns it into an `Extraction`.
The descriptions are part of the prompt: models read them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMFact(_Strict):
    """One atomic memory."""

    text: str = Field(description="One short, self-contained statement worth remembering, naming people instead "
                                  "of using pronouns, in the conversation's language.")
    entities: list[str] = Field(description="Names (as in `entities`) of the entities this fact mentions.")
    updates: str | None = Field(description="Id of the existing memory that this fact refines, corrects or "
                                            "extends, else null.")
    contradicts: str | None = Field(description="Id of the existing memory that cannot still be true if this "
                                                "fact is, else null.")


class LLMEntity(_Strict):
    """An entity the facts are about."""

    name: str = Field(description="Canonical name in its original form and language, as a person writes it.")
    type: str = Field(description="One lowercase word: person, organization, location, event, product, food, "
                                  "activity, concept, date, thing, ...")
    aliases: list[str] = Field(description="Other names the conversation uses for the same entity; empty if none.")


class LLMRelation(_Strict):
    """A directed link between two entities."""

    source: str = Field(description="Name of the source entity, as in `entities`.")
    relation: str = Field(description="Short lower_snake_case predicate in English, e.g. works_at, lives_in.")
    target: str = Field(description="Name of the target entity, as in `entities`.")
    fact: str = Field(description="The text of the fact (as in `facts`) that states this relation.")
    valid_at: str | None = Field(description="ISO-8601 date or datetime from which the relation holds, when the "
                                             "conversation says so; else null.")


class LLMExtraction(_Strict):
    """Facts, entities and relations extracted from one conversation turn, in one answer."""

    facts: list[LLMFact] = Field(description="Atomic memories; empty when nothing is worth remembering.")
    entities: list[LLMEntity] = Field(description="Each entity once, with all its names.")
    relations: list[LLMRelation] = Field(description="Links between the entities, each stated by one fact.")


class LLMVerdict(_Strict):
    """What one new fact does to the stored memories."""

    fact: str = Field(description="Id of the new fact, e.g. f1.")
    event: Literal["ADD", "NONE", "UPDATE", "DELETE"] = Field(
        description="ADD: new information; NONE: a stored memory already says it; UPDATE: it refines, corrects "
                    "or extends `memory`; DELETE: `memory` cannot still be true if the fact is.")
    memory: str | None = Field(description="Id of the stored memory (e.g. m1) for NONE, UPDATE and DELETE; "
                                           "else null.")


class LLMVerdicts(_Strict):
    """One verdict per new fact, in the order given."""

    verdicts: list[LLMVerdict] = Field(description="A verdict for each new fact.")
