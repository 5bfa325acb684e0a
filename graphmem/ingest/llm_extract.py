"""The LLM extractor: one structured call per add returns facts, entities and relations together.

Existing memories are shown to the model under short ids (m1, m2, ...) rather
than UUIDs, which models copy unreliably; the answer's ids are mapped back, and
ids the model made up are dropped. The answer is cleaned into a valid
`Extraction`: blank items dropped, entities merged by normalised name (aliases
kept), names that relations and facts use but the entity list forgot added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone

from graphmem.errors import ExtractionError, MissingDependencyError
from graphmem.ingest.extract import ExtractionContext, Verdict
from graphmem.ingest.llm_schema import LLMExtraction, LLMVerdicts
from graphmem.ingest.normalize import normalise_name
from graphmem.ingest.prompts import (
    PROCEDURAL_SYSTEM_PROMPT,
    RECONCILE_SYSTEM_PROMPT,
    extraction_system,
    extraction_user,
    procedural_user,
    reconcile_user,
)
from graphmem.llm.base import StructuredLLM
from graphmem.models import ExtractedEntity, ExtractedFact, ExtractedRelation, Extraction, Message

_FIRST_PERSON = {"i", "me", "my", "myself", "user", "the user"}
_PREDICATE_GAPS = re.compile(r"[\s\-/]+")
_BRACKETED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<alias>[^()]+)\)$")  # "Robert (Bob)"


def _utc_today() -> date:
    return datetime.now(timezone.utc).date()


class LLMExtractor:
    """An `Extractor` backed by a StructuredLLM; also writes procedural memories."""

    def __init__(self, llm: StructuredLLM, *, today: Callable[[], date] = _utc_today) -> None:
        self.llm = llm
        self._today = today

    async def extract(self, messages: Sequence[Message], context: ExtractionContext) -> Extraction:
        """Exactly one LLM call (two when its output needs the one repair); none for a turn with no speech."""
        spoken = [m for m in messages if m.role != "system"]
        if not spoken:
            return Extraction()
        refs = {f"m{i}": memory_id for i, memory_id in enumerate(context.existing, start=1)}
        today = context.said_on or self._today()
        answer = await self.llm.generate(extraction_system(context.instructions),
                                         extraction_user(spoken, context, refs, today), LLMExtraction)
        return to_extraction(answer, refs, context.self_name)

    async def mentions(self, messages: Sequence[Message], context: ExtractionContext) -> list[list[ExtractedEntity]]:
        """Entities named in each message, without an LLM call (`infer=False`): the offline NER, when installed."""
        try:
            from graphmem.ingest.offline import OfflineExtractor

            return await OfflineExtractor().mentions(messages, context)
        except MissingDependencyError:
            # Without spaCy, infer=False still stores the messages; they are just not linked to entities.
            return [[] for _ in messages]

    async def judge(self, facts: Sequence[tuple[str, Sequence[str]]], existing: dict[str, str]) -> list[Verdict]:
        """The reconciliation call: for each (fact, ids of look-alike memories), what the fact does to them.
        One verdict per fact, in order; a verdict naming a memory it was not shown becomes ADD."""
        refs = {memory_id: f"m{i}" for i, memory_id in enumerate(existing, start=1)}
        asked = [(f"f{i}", text, [(refs[m], existing[m]) for m in ids if m in refs])
                 for i, (text, ids) in enumerate(facts, start=1)]
        answer = await self.llm.generate(RECONCILE_SYSTEM_PROMPT, reconcile_user(asked), LLMVerdicts)
        by_fact = {v.fact.strip().strip("[]").lower(): v for v in answer.verdicts}
        verdicts = []
        for fact_ref, _, shown in asked:
            given = by_fact.get(fact_ref)
            allowed = {ref: mid for mid, ref in refs.items() if ref in {r for r, _ in shown}}
            memory_id = _memory_id(given.memory, allowed) if given else None
            if given is None or (given.event != "ADD" and memory_id is None):
                verdicts.append(Verdict("ADD"))
            else:
                verdicts.append(Verdict(given.event, memory_id if given.event != "ADD" else None))
        return verdicts

    async def summarize_procedure(self, messages: Sequence[Message], context: ExtractionContext,
                                  prompt: str | None = None) -> str:
        """mem0's procedural memory: one text call summarising an agent's steps. `prompt` replaces the
        system prompt, as add's `prompt=` does in mem0 (context.instructions, the fact prompt, is not used)."""
        summary = await self.llm.complete(prompt or PROCEDURAL_SYSTEM_PROMPT, procedural_user(messages))
        if not summary.strip():
            raise ExtractionError(f"{self.llm.description} returned an empty procedural memory summary")
        return summary.strip()

    async def aclose(self) -> None:
        await self.llm.aclose()


class _Entities:
    """Entities keyed by normalised name or alias, merging duplicates; first-person words mean the user."""

    def __init__(self, self_name: str | None) -> None:
        self.self_name = self_name
        self._by_key: dict[str, ExtractedEntity] = {}
        self._aliases: dict[str, str] = {}  # normalised alias -> key of its entity

    def _key_of(self, name: str) -> str | None:
        key = normalise_name(name)
        return key if key in self._by_key else self._aliases.get(key)

    def canonical(self, name: str) -> str:
        """The name tidied, as the user's name for "I"/"me", or as the entity it already names."""
        name = " ".join(name.split())
        if self.self_name and normalise_name(name) in _FIRST_PERSON:
            return self.self_name
        key = self._key_of(name)
        return self._by_key[key].name if key else name

    def _split(self, name: str, kind: str) -> tuple[str, list[str]]:
        """"Robert (Bob)" is Robert, also called Bob, for a person or when either name is known already;
        otherwise the brackets qualify the name ("Mercury (planet)") and stay part of it."""
        match = _BRACKETED.match(name)
        if match is None:
            return name, []
        base, alias = match["name"].strip(), match["alias"].strip()
        if kind.strip().lower() == "person" or self._key_of(base) or self._key_of(alias):
            return base, [alias]
        return name, []

    def add(self, name: str, kind: str = "thing", aliases: Sequence[str] = ()) -> str:
        name, bracketed = self._split(" ".join(name.split()), kind)
        aliases = [*aliases, *bracketed]
        other = next((k for k in map(self._key_of, aliases) if k), None) if not self._key_of(name) else None
        if other:  # a new name for an entity listed already: it joins that entity's aliases
            name, aliases = self._by_key[other].name, [name, *aliases]
        name = self.canonical(name)
        key = normalise_name(name)
        if not key:
            return ""
        old = self._by_key.get(key)
        kept: dict[str, str] = {}
        for alias in [*(old.aliases if old else []), *(" ".join(a.split()) for a in aliases)]:
            alias_key = normalise_name(alias)
            if alias_key and alias_key != key:
                kept.setdefault(alias_key, alias)
                self._aliases.setdefault(alias_key, key)
        kind = (old.type if old and old.type != "thing" else kind.strip().lower()) or "thing"
        self._by_key[key] = ExtractedEntity(name=old.name if old else name, type=kind, aliases=list(kept.values()))
        return self._by_key[key].name

    def known(self, name: str) -> str:
        """The canonical name of an entity a fact or relation uses, added when the list forgot it."""
        key = self._key_of(self.canonical(name))
        return self._by_key[key].name if key else self.add(name)

    def all(self) -> list[ExtractedEntity]:
        return list(self._by_key.values())


def _valid_at(value: str | None) -> str | None:
    """An ISO-8601 date or datetime, as given; anything else (e.g. "last year") is dropped."""
    if not value or not value.strip():
        return None
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.strip()


def _memory_id(value: str | None, refs: dict[str, str]) -> str | None:
    """The real id behind a short id (or an id the model copied whole); None for an unknown id."""
    if not value:
        return None
    ref = value.strip().strip("[]").lower()
    return refs.get(ref) or (value.strip() if value.strip() in refs.values() else None)


def to_extraction(answer: LLMExtraction, refs: dict[str, str], self_name: str | None) -> Extraction:
    """The model's answer as a valid Extraction (see the module docstring for the clean-up)."""
    entities = _Entities(self_name)
    for entity in answer.entities:
        entities.add(entity.name, entity.type, entity.aliases)
    facts = []
    for fact in answer.facts:
        text = fact.text.strip()
        if text:
            names = [n for n in dict.fromkeys(entities.known(e) for e in fact.entities if e.strip()) if n]
            facts.append(ExtractedFact(text=text, entities=names, updates=_memory_id(fact.updates, refs),
                                       contradicts=_memory_id(fact.contradicts, refs)))
    relations = []
    for rel in answer.relations:
        predicate = _PREDICATE_GAPS.sub("_", rel.relation.strip().lower()).strip("_")
        if not (predicate and rel.source.strip() and rel.target.strip()):
            continue
        source, target = entities.known(rel.source), entities.known(rel.target)
        if source and target:
            relations.append(ExtractedRelation(source=source, relation=predicate, target=target,
                                               fact=rel.fact.strip(), valid_at=_valid_at(rel.valid_at)))
    return Extraction(facts=facts, entities=entities.all(), relations=relations)
