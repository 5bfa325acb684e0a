"""The write path of `add()`: nearby memories, extraction, reconciliation, one transaction.

    messages ─ embed (one batch) ─ vector search (one) ─ nearby memories ─┐
             └────────────────────────────────────── extraction call ─────┴─ facts + verdicts
    facts ─ exact-hash dedup ─ entity resolution ─ embed (one batch) ─ reconcile
          ─ [one more LLM call only for ambiguous facts] ─ plan ─ one transaction

Nothing is written before the transaction: an error anywhere leaves the graph as it was.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import numpy as np

from graphmem.backends.base import GraphBackend, Statement
from graphmem.errors import ConfigError
from graphmem.ingest import offline_truth
from graphmem.ingest.context import contexts_of, said_before
from graphmem.ingest.extract import ExtractionContext, Extractor
from graphmem.ingest.history import Ended, last_said_again
from graphmem.ingest.llm_extract import LLMExtractor
from graphmem.ingest.normalize import memory_hash
from graphmem.ingest.parts import embed_with_parts, kept_parts
from graphmem.ingest.plan import (
    AddPlan,
    EntityTable,
    NewMemory,
    Replacement,
    Thread,
    build_add_plan,
    relation_rows,
    thread_key,
)
from graphmem.ingest.reconcile import NEARBY, SHOWN, Decision, Nearby, decide, settle
from graphmem.ingest.resolve import add_new_entities, resolve_entities
from graphmem.ingest.supersede import (
    Contradiction,
    contradiction_statements,
    end_history_relations,
    place_late,
    relations_ending,
)
from graphmem.ingest.timeline import said_in_the_past, supersedes
from graphmem.inprocess.keywords import cool as cool_keywords
from graphmem.inprocess.keywords import hold as hold_keywords
from graphmem.inprocess.keywords import warm as warm_keywords
from graphmem.inprocess.vectors import unit_rows
from graphmem.models import ExtractedEntity, ExtractedFact, Extraction, Message
from graphmem.pacing import paced
from graphmem.providers.embedders import Embedder
from graphmem.scope import Scope

T = TypeVar("T")
_ON_LOOP_ITEMS = 256  # facts: beyond, planning an add runs in a worker thread (see _cpu_bound)

PROCEDURAL = "procedural_memory"


class Adder:
    """Runs one add against a backend; `AsyncMemory.add` validates the input and calls it."""

    def __init__(self, backend: GraphBackend, embedder: Embedder, extractor: Extractor,
                 sentence_vectors: bool = True, context_vectors: bool = False) -> None:
        self.backend = backend
        self.embedder = embedder
        self.extractor = extractor
        self.sentence_vectors = sentence_vectors  # memories' sentences embedded too (ingest/parts.py)
        self.context_vectors = context_vectors  # verbatim messages' contexts embedded too (ingest/context.py)

    def lock(self, scope: Scope) -> AbstractAsyncContextManager[None]:
        """One add at a time per scope: resolution, reconciliation and episode numbering read, then write.
        The store's write locks (backends/locks.py), so every Memory on one store takes turns."""
        return self.backend.locks.scope(scope.key)

    async def add(self, items: list[Message], scope: Scope, context: ExtractionContext, now: str,
                  metadata: dict[str, Any] | None, infer: bool) -> dict[str, Any]:
        if not infer:
            extraction = await self._verbatim(items, context)
            async with self.lock(scope):
                return await self._write(scope, items, extraction, Nearby(), now, metadata, verbatim=True)
        if not isinstance(self.extractor, LLMExtractor):
            # The offline extractor gives no verdicts: it runs outside the lock, and its facts are only
            # de-duplicated by hash.
            # (The NLP is not overlapped with the embedding on purpose: spaCy and torch in two threads
            # at once crashed the process once in four test runs here.)
            extraction = await self.extractor.extract(items, context)
            async with self.lock(scope):
                # Single-valued relations stand in for the model's verdicts: "I moved to Paris" supersedes
                # the memory that says Berlin (ingest/offline_truth).
                extraction, nearby = await offline_truth.contradictions(self.backend, scope, extraction, now)
                return await self._write(scope, items, extraction, nearby, now, metadata)
        # The model judges the new facts against the stored memories it is shown, so the lock is held
        # from the look-up on: a concurrent add to the scope must not change them meanwhile.
        async with self.lock(scope):
            nearby = await self.nearby(scope, items)
            extraction = await self.extractor.extract(items, dataclasses.replace(context, existing=nearby.existing))
            return await self._write(scope, items, extraction, nearby, now, metadata)

    async def nearby(self, scope: Scope, items: list[Message]) -> Nearby:
        """The scope's memories nearest to the messages: one embedding batch, one vector search, one read."""
        spoken = [m.content for m in items if m.role != "system" and m.content.strip()]
        if not spoken:
            return Nearby()
        vectors = unit_rows(np.asarray(await self.embedder.embed_texts(spoken), dtype=np.float32))
        centre = vectors.mean(axis=0)  # one query for all the messages
        hits = await self.backend.vector_search("memory", [float(x) for x in centre], NEARBY, scope)
        if not hits:
            return Nearby()
        rows = {r["id"]: r for r in await self.backend.read("memory/nearby_rows", {"ids": [h["id"] for h in hits]})}
        ordered = {h["id"]: rows[h["id"]] for h in hits if h["id"] in rows and rows[h["id"]]["invalid_at"] is None}
        return Nearby(rows=ordered, shown=tuple(list(ordered)[:SHOWN]))

    async def procedural(self, items: list[Message], scope: Scope, context: ExtractionContext, now: str,
                         metadata: dict[str, Any] | None, prompt: str | None) -> dict[str, Any]:
        """mem0's procedural memory: one LLM-written summary of the agent's steps, stored as one memory."""
        if not isinstance(self.extractor, LLMExtractor):
            raise ConfigError("memory_type='procedural_memory' needs an llm to summarise the steps: configure "
                              "'llm'", field="llm")
        summary = await self.extractor.summarize_procedure(items, context, prompt)
        embedded = await embed_with_parts(self.embedder, [summary], [], self.sentence_vectors)
        memory = NewMemory(text=summary, embedding=embedded.texts[0], entity_names=[], role="assistant",
                           actor_id=scope.agent_id, parts=kept_parts(self.backend.dialect, embedded.parts[0]))
        async with self.lock(scope):
            thread = await self._thread(scope)
            plan = build_add_plan(scope, now, items, [memory], EntityTable(), [], metadata, PROCEDURAL, thread.seq,
                                  said_until=thread.said_after(now))
            await self.backend.write(plan.statements)
        return {"results": plan.results}  # mem0 returns no "relations" for a procedural memory

    async def _verbatim(self, items: list[Message], context: ExtractionContext) -> Extraction:
        """`infer=False`: every non-system message is a memory; entities it names are still linked."""
        kept = [m for m in items if m.role != "system"]
        mentioned = await self.extractor.mentions(kept, context)
        facts = [ExtractedFact(text=m.content, entities=[e.name for e in ents])
                 for m, ents in zip(kept, mentioned, strict=True)]
        entities: list[ExtractedEntity] = [e for ents in mentioned for e in ents]
        return Extraction(facts=facts, entities=entities)

    async def _write(self, scope: Scope, items: list[Message], extraction: Extraction, nearby: Nearby, now: str,
                     metadata: dict[str, Any] | None, verbatim: bool = False) -> dict[str, Any]:
        """`verbatim` (`infer=False`, each message a memory): new entities are stored without an embedding
        (the linker's names added nothing to recall on LOCOMO, measured, and cost a second text per add), and
        each memory gets its context's vector (ingest/context.py) when `context_vectors` is on."""
        thread = await self._thread(scope)
        facts = await self._new_facts(scope, _unique_facts(extraction.facts), now, thread)
        entities, fresh = await resolve_entities(self.backend, scope, extraction.entities, now)
        names = [] if verbatim else [e.name for e in fresh]
        contexts = await self._contexts(scope, items, facts, thread, now) if verbatim else []
        embedded = await embed_with_parts(self.embedder, [f.text for f in facts], names, self.sentence_vectors,
                                          contexts)
        add_new_entities(entities, fresh, [None] * len(fresh) if verbatim else embedded.names, scope, now)
        parts_of = {f.text: sentences for f, parts in zip(facts, embedded.parts, strict=True)
                    if (sentences := kept_parts(self.backend.dialect, parts))}
        context_of = {f.text: c for f, c in zip(facts, embedded.contexts, strict=True) if c is not None}
        vectors = embedded.texts
        decisions = await _cpu_bound(lambda: decide(facts, vectors, nearby, now), len(facts))
        await self._settle_ambiguous(decisions, nearby)
        kept = [d for d in decisions if d.event != "NONE"]
        memories = await _cpu_bound(lambda: _new_memories(kept, items, parts_of, context_of), len(kept))
        superseded = [(m, t) for d, m in zip(kept, memories, strict=True) if d.event == "DELETE" and d.target
                      for t in (d.target, *nearby.also.get(d.target, ()))]
        contradictions = [Contradiction(m, nearby.rows[t], now) for m, t in superseded]
        changed = [d.target for d in kept if d.target] + [t for d in kept for t in nearby.also.get(d.target or "", ())]
        events = await self.backend.read("event/of_memories", {"ids": changed}) if changed else []
        contradictions = [dataclasses.replace(c, said_again=last_said_again(
            e for e in events if e["memory_id"] == c.stored["id"])) for c in contradictions]
        contradictions, spans = await self._place_history(contradictions, events)
        ending = await self._relations_ending(contradictions, now)
        relations = await self._new_relations(extraction, entities, memories, set(ending), now)

        def planned() -> AddPlan:
            end_history_relations(relations, contradictions, memories, entities)
            replacements = [_replacement(d, m, nearby, events, metadata)
                            for d, m in zip(kept, memories, strict=True) if d.event == "UPDATE"]
            supersede = _ending_statements(contradictions, events, spans, ending, now)
            added = [m for d, m in zip(kept, memories, strict=True) if d.event != "UPDATE"]
            return build_add_plan(scope, now, items, added, entities, relations, metadata, None, thread.seq,
                                  replacements, supersede, thread.said_after(now))

        plan = await _cpu_bound(planned, len(memories))
        warmed = await asyncio.to_thread(warm_keywords, [m.text for m in memories])  # off the scopes' lock
        hold_keywords(warmed)
        try:
            await self.backend.write(plan.statements)
        finally:
            cool_keywords(warmed)
        return {"results": _results(kept, memories, nearby, contradictions),
                "relations": {"added_entities": plan.added_relations, "deleted_entities": []}}

    async def _relations_ending(self, contradictions: list[Contradiction], now: str) -> list[str]:
        """The valid relations drawn from the stored memories this add supersedes that end now (see supersede)."""
        superseded = [c.stored["id"] for c in contradictions if not c.late]
        if not superseded:
            return []
        return relations_ending(await self.backend.read("relation/of_memories", {"ids": superseded}), now)

    async def _place_history(self, contradictions: list[Contradiction], events: list[dict[str, Any]]
                             ) -> tuple[list[Contradiction], list[dict[str, Any]]]:
        """The contradictions, a late one with its stored memory's chain of history (see ingest/history),
        and the relations of the chains' memories that held when their late fact was said (those end then).
        Only an add older than a memory it contradicts reads these."""
        late = [c for c in contradictions if c.late]
        if not late:
            return contradictions, []
        ended: dict[str, list[Ended]] = {}
        for key in {Scope.of_row(c.stored).key for c in late}:
            ended[key] = [Ended.of(row) for row in await self.backend.read("memory/ended_in_scope", {"sk": key})]
        placed = place_late(contradictions, {c.stored["id"]: ended[Scope.of_row(c.stored).key] for c in late}, events)
        held = [m.id for c in placed for m in c.chain if m.held_at(c.now)]
        spans = await self.backend.read("relation/spans_of_memories", {"ids": held}) if held else []
        return placed, spans

    async def _settle_ambiguous(self, decisions: list[Decision], nearby: Nearby) -> None:
        """At most one more LLM call, only for facts the cheap signals cannot place."""
        asked = [d for d in decisions if d.ambiguous]
        if not asked or not isinstance(self.extractor, LLMExtractor):
            return
        candidates = {mid: nearby.rows[mid]["text"] for d in asked for mid in d.candidates}
        verdicts = await self.extractor.judge([(d.fact.text, d.candidates) for d in asked], candidates)
        settle(decisions, verdicts, nearby)

    async def _thread(self, scope: Scope) -> Thread:
        return Thread.of(await self.backend.read("thread/get", {"key": thread_key(scope)}))

    async def _contexts(self, scope: Scope, items: list[Message], facts: list[ExtractedFact], thread: Thread,
                        now: str) -> list[str | None]:
        """Each verbatim memory's context text (ingest/context.py), when contexts are embedded."""
        if not self.context_vectors or not facts:
            return []
        return contexts_of([f.text for f in facts], items, await said_before(self.backend, scope, thread, now))

    async def _new_facts(self, scope: Scope, unique: list[ExtractedFact], now: str,
                         thread: Thread) -> list[ExtractedFact]:
        """Facts whose exact text the scope does not hold yet (mem0's NONE event: not returned).

        An add said in the past (an import) also skips texts held as history at its time: importing
        the same old messages again must not store their history again."""
        if not unique:
            return []
        hashes = [memory_hash(f.text) for f in unique]
        stored = await self.backend.valid_hashes(hashes, scope)
        known = {row["hash"] for row in stored}
        unknown = [h for h in hashes if h not in known]
        if unknown and said_in_the_past(now) and await self._may_hold_history(scope, now, thread):
            held = await self.backend.read("memory/hashes_held_at", {"sk": scope.key, "hashes": unknown, "at": now})
            known |= {row["hash"] for row in held}
        return [f for f, h in zip(unique, hashes, strict=True) if h not in known]

    async def _may_hold_history(self, scope: Scope, now: str, thread: Thread) -> bool:
        """Whether history may hold at `now`: it ends when a memory said later began, so something was said
        to the scope after `now` (the counter keeps that time even when that memory was deleted since), or
        a memory said after it is stored. Without either (the usual import, in time order) the look-up, a
        scan on Kuzu, is not run. A manual `update()` does not advance the counter, and need not: it is no
        saying, so no history ends at it (supersede.py)."""
        if thread.said_until and not supersedes(now, thread.said_until):
            return True
        return bool(await self.backend.memories_between(now, None, 1, scope))

    async def _new_relations(self, extraction: Extraction, entities: EntityTable, memories: list[NewMemory],
                             ending: set[str], now: str) -> list[dict[str, Any]]:
        """The relations to create: those not stored yet, or stored but ending now (a superseded memory's
        relation that the new facts state again is made anew, from the new memory)."""
        if not extraction.relations:
            return []
        ids = {i for r in extraction.relations for i in (entities.id_of(r.source), entities.id_of(r.target)) if i}
        rows = await self.backend.read("relation/existing", {"source_ids": sorted(ids), "target_ids": sorted(ids)})
        existing = {(r["source_id"], r["type"], r["target_id"]) for r in rows if r["id"] not in ending}
        return await _cpu_bound(lambda: relation_rows(
            extraction.relations, entities, existing, _memory_of_relation_fact(extraction, memories), None, now),
            len(memories))


async def _cpu_bound(work: Callable[[], T], size: int) -> T:
    """`work()`, in a worker thread when `size` (facts or memories) makes it long: one long message gives
    thousands of facts, and ~0.3 s of planning them on the event loop stalled every other caller."""
    return await asyncio.to_thread(work) if size > _ON_LOOP_ITEMS else work()


def _ending_statements(contradictions: list[Contradiction], events: list[dict[str, Any]],
                       spans: list[dict[str, Any]], ending: list[str], now: str) -> list[Statement]:
    """The statements that end the losing side of each contradiction, and the relations drawn from
    superseded memories (`ending`)."""
    statements = [Statement("relation/invalidate", {"ids": ending, "invalid_at": now})] if ending else []
    for contradiction in contradictions:
        statements += contradiction_statements(contradiction, events, spans)
    return statements


def _unique_facts(facts: list[ExtractedFact]) -> list[ExtractedFact]:
    """The facts with text, once each (the last of the same text wins)."""
    return list({f.text.strip(): f for f in facts if f.text.strip()}.values())


def _new_memories(decisions: list[Decision], items: list[Message],
                  parts_of: dict[str, list[list[float]]] | None = None,
                  context_of: dict[str, list[float]] | None = None) -> list[NewMemory]:
    """Each fact with the role, speaker and position of the message that says it (found by text);
    an UPDATE keeps the id of the memory it replaces."""
    speaking = [m for m in items if m.role != "system"]
    by_content = {m.content: i for i, m in reversed(list(enumerate(speaking)))}
    memories = []
    for decision in paced(decisions):  # thousands, from one long message, in a worker thread (_cpu_bound)
        fact = decision.fact
        index = by_content.get(fact.text)
        if index is None:
            index = next((i for i, m in enumerate(speaking) if _said_in(fact.text, m.content)), None)
        source = speaking[index] if index is not None else None
        memory = NewMemory(text=fact.text, embedding=decision.vector, entity_names=fact.entities,
                           role=source.role if source else "user", actor_id=source.name if source else None,
                           source=index, parts=(parts_of or {}).get(fact.text, ()),
                           context=(context_of or {}).get(fact.text))
        memories.append(dataclasses.replace(memory, id=decision.target) if decision.event == "UPDATE"
                        and decision.target else memory)
    return memories


def _replacement(decision: Decision, memory: NewMemory, nearby: Nearby, events: list[dict[str, Any]],
                 metadata: dict[str, Any] | None) -> Replacement:
    """An UPDATE: the stored memory keeps its id, speaker, creation time and metadata (the add's merged in)."""
    row = nearby.rows[decision.target or ""]
    said_by = (memory.role or "user", memory.actor_id)  # the UPDATE event records who said it (an add: a saying)
    memory = dataclasses.replace(memory, role=row.get("role"), actor_id=row.get("actor_id"))
    kept = {**json.loads(row.get("metadata") or "{}"), **(metadata or {})}
    return Replacement(row=row, memory=memory, event_ids=[e["id"] for e in events if e["memory_id"] == row["id"]],
                       metadata=kept, said_by=said_by)


def _results(decisions: list[Decision], memories: list[NewMemory], nearby: Nearby,
             contradictions: list[Contradiction]) -> list[dict[str, Any]]:
    """mem0's add results, in the facts' order: ADD, UPDATE (with previous_memory), DELETE (the old text).
    A fact older than the memory it contradicts is an ADD with its `invalid_at` (stored as history), and
    that memory, which stays, is not listed."""
    history = {c.memory.id: c.ends_at for c in contradictions if c.late}
    results: list[dict[str, Any]] = []
    for decision, memory in zip(decisions, memories, strict=True):
        if decision.event == "UPDATE":
            results.append({"id": memory.id, "memory": memory.text, "event": "UPDATE",
                            "previous_memory": nearby.rows[memory.id]["text"]})
            continue
        if memory.id in history:
            results.append({"id": memory.id, "memory": memory.text, "event": "ADD", "invalid_at": history[memory.id]})
            continue
        results.append({"id": memory.id, "memory": memory.text, "event": "ADD"})
        if decision.event == "DELETE" and decision.target:
            results += [{"id": t, "memory": nearby.rows[t]["text"], "event": "DELETE"}
                        for t in (decision.target, *nearby.also.get(decision.target, ()))]
    return results


def _said_in(fact: str, content: str) -> bool:
    """Whether a fact's words come from this message (extractors may add a "Speaker: " prefix)."""
    body = fact.split(": ", 1)[1] if ": " in fact[:60] else fact
    return body.strip() in content or fact.strip() in content


def _memory_of_relation_fact(extraction: Extraction, memories: list[NewMemory]) -> dict[str, str]:
    """Relation fact text → id of the memory that states it (exact text, or the memory containing it)."""
    by_text = {m.text: m.id for m in memories}
    mapping: dict[str, str] = {}
    for rel in extraction.relations:
        hit = by_text.get(rel.fact) or next((m.id for m in memories if rel.fact and rel.fact in m.text), None)
        if hit:
            mapping[rel.fact] = hit
    return mapping
