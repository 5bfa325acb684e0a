"""AsyncMemory: mem0's API over a graph backend. Orchestration only, written once for every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from graphmem import explore
from graphmem import graph as graph_view
from graphmem import mem0_forms as forms
from graphmem.backends.base import GraphBackend, Row, embedder_marker
from graphmem.config import MemoryConfig
from graphmem.errors import BackendError, StoreInUseError, ValidationError
from graphmem.factory import create_backend, create_extractor
from graphmem.ingest import changes
from graphmem.ingest.adder import PROCEDURAL, Adder
from graphmem.ingest.extract import ExtractionContext, Extractor
from graphmem.ingest.messages import check_length, normalise_messages
from graphmem.models import Message
from graphmem.providers.embedders import Embedder, create_embedder
from graphmem.providers.rerankers import Reranker, create_reranker, rerank_records, rerank_window
from graphmem.records import history_record, memory_record, relation_record
from graphmem.scope import Scope
from graphmem.search import as_of as past
from graphmem.search.calibrate import calibrated, scale_of
from graphmem.search.filters import has_conditions, store_prefilter
from graphmem.search.listing import list_memories
from graphmem.search.retrieve import Retrieval, Retriever
from graphmem.search.when import iso_utc

ConfigLike = MemoryConfig | dict[str, Any] | None
_MEMORY_TYPES = (None, PROCEDURAL)


def utc_now() -> str:
    return iso_utc(datetime.now(timezone.utc))


def _scope_from(user_id: Any, agent_id: Any, run_id: Any, filters: dict[str, Any] | None) -> Scope:
    """Scope from the keyword ids, or from mem0 2.x's `filters={"user_id": ...}`."""
    return Scope.of(*forms.scope_ids(user_id, agent_id, run_id, filters))


class AsyncMemory:
    """The mem0 API, async. `Memory` is its sync facade."""

    def __init__(self, config: ConfigLike = None) -> None:
        self.config = MemoryConfig.parse(config)
        self.embedder: Embedder = create_embedder(self.config.embedder)
        self.backend: GraphBackend = create_backend(self.config.graph_store)
        self.extractor: Extractor = create_extractor(self.config)
        self.reranker: Reranker | None = create_reranker(self.config.reranker)
        self._retriever = Retriever(self.backend, self.config.search, self.embedder.embed_query)
        # Context vectors are searched in RAM (Kuzu's loaded scopes); the Bolt stores search their engine's index.
        # Sentences are embedded on every backend: a memory's own vector is read with them (ingest/parts.py).
        self._adder = Adder(self.backend, self.embedder, self.extractor, self.config.sentence_vectors,
                            self.config.context_vectors and self.backend.dialect == "kuzu")
        self._opened = False
        self._embedder_marked = False
        self._open_lock = asyncio.Lock()

    @classmethod
    def from_config(cls, config_dict: dict[str, Any]) -> AsyncMemory:
        return cls(config_dict)

    async def connect(self) -> None:
        """Open the store now (it otherwise opens on first use); a server that cannot be reached
        raises ConnectionFailedError naming its URL."""
        await self._ready()

    async def _ready(self) -> GraphBackend:
        """Connect on first use, so that constructing a Memory does no I/O."""
        if not self._opened:
            async with self._open_lock:
                if not self._opened:
                    dims = await asyncio.to_thread(lambda: self.embedder.dims)
                    try:
                        await self.backend.open(dims)
                    except BackendError as exc:  # Kuzu's lock refusal, said as how to share the store
                        in_use = StoreInUseError.from_kuzu(exc, getattr(self.config.graph_store.config, "db", ""))
                        if in_use is None:
                            raise
                        raise in_use from exc
                    self._opened = True
        return self.backend

    async def _ready_to_embed(self) -> GraphBackend:
        """The store, once it records which embedder makes its vectors (or warns that another one made them).
        Asked by the calls that embed only: the others need not resolve how the local model runs."""
        backend = await self._ready()
        if self._embedder_marked:
            return backend
        # One call reads and writes the marker: concurrent first adds had each written it, and ArcadeDB's
        # MERGE refused the second (a duplicate key on GraphMeta).
        async with self._open_lock:
            if not self._embedder_marked:
                stored = await backend.read("admin/get_meta", {"key": "embedder"})
                follow = getattr(self.embedder, "follow", None)  # the default one keeps a store's older default
                if follow is not None:
                    follow(stored[0]["value"] if stored else None)
                identity = await asyncio.to_thread(lambda: self.embedder.identity)
                marker = embedder_marker(stored, identity)
                if marker is not None:
                    await backend.write([marker])
                self._embedder_marked = True
        return backend

    # -- add -------------------------------------------------------------------------------

    async def add(self, messages: Any, *, user_id: str | None = None, agent_id: str | None = None,
                  run_id: str | None = None, metadata: dict[str, Any] | None = None, infer: bool = True,
                  memory_type: str | None = None, prompt: str | None = None,
                  timestamp: int | float | str | datetime | None = None,
                  expiration_date: date | str | None = None, **mem0_options: Any) -> dict[str, Any]:
        """Remember messages: facts, entities and relations go into the graph in one transaction; facts
        that repeat, update or contradict stored memories become NONE, UPDATE or DELETE (see ingest/adder).

        `timestamp` (as mem0's platform: Unix seconds; or a datetime or ISO-8601 string) is when the
        messages were said, used instead of the current time: replayed or imported conversations keep
        their time, which `search` reads time cues ("last week", "in May 2023") and `as_of` against.
        After `expiration_date` (mem0 2.x: "YYYY-MM-DD") the memories leave search and get_all."""
        forms.check_ignored("add", mem0_options)
        scope = Scope.of(user_id, agent_id, run_id)
        items = normalise_messages(messages, self.config.max_message_chars)
        metadata = forms.with_expiration(forms.check_metadata(metadata), forms.expiration(expiration_date))
        said = forms.check_timestamp(timestamp)
        now = said[0] if said else utc_now()
        if memory_type not in _MEMORY_TYPES:
            raise ValidationError(f"memory_type must be one of {_MEMORY_TYPES}", field="memory_type")
        if prompt is not None and not isinstance(prompt, str):  # it goes to the extractor's process, pickled
            raise ValidationError("prompt must be a string", field="prompt")
        await self._ready_to_embed()
        context = self._context(items, scope, prompt, said[1] if said else None)
        if memory_type == PROCEDURAL and scope.agent_id is not None:  # as mem0: an agent's procedure
            return await self._adder.procedural(items, scope, context, now, metadata, prompt)
        return await self._adder.add(items, scope, context, now, metadata, infer)

    def _context(self, items: list[Message], scope: Scope, prompt: str | None,
                 said_on: date | None) -> ExtractionContext:
        speaker = next((m.name for m in items if m.role == "user" and m.name), None)
        return ExtractionContext(self_name=speaker or scope.user_id, agent_name=scope.agent_id,
                                 instructions=prompt or self.config.custom_fact_extraction_prompt,
                                 said_on=said_on)

    # -- read ------------------------------------------------------------------------------

    async def search(self, query: str, *, user_id: str | None = None, agent_id: str | None = None,
                     run_id: str | None = None, limit: int = 100, filters: dict[str, Any] | None = None,
                     threshold: float | None = None, top_k: int | None = None,
                     explain: bool = False, as_of: datetime | None = None, rerank: bool = True,
                     show_expired: bool = False, **mem0_options: Any) -> dict[str, Any]:
        """Memories ranked by fused vector, keyword and graph evidence, and the relations around them;
        with `as_of`, those that were valid at that time (see search/as_of). A time cue in the query
        ("last week", "in May 2023") ranks the memories said then higher (search/when), read against
        `as_of` or now. With a reranker configured (and `rerank`), the best fused results are reordered
        by it (see providers/rerankers). Expired memories (add's `expiration_date`) only with `show_expired`."""
        forms.check_ignored("search", mem0_options)
        if not isinstance(query, str) or not query.strip():
            raise ValidationError("query must be a non-empty string", field="query")
        check_length([query], self.config.max_message_chars, "query")  # 1 MB took ~5 s of tokenising
        limit = forms.check_limit(top_k if top_k is not None else limit, "top_k" if top_k is not None else "limit")
        if threshold is not None and (not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1):
            raise ValidationError("threshold must be a number between 0 and 1", field="threshold")
        when = past.check_as_of(as_of)
        matches = forms.record_filter(filters, show_expired) or _every  # checks the filters' shape first
        scope = _scope_from(user_id, agent_id, run_id, filters)
        backend = await self._ready_to_embed()
        pool = max(self.config.search.candidates, limit) * (4 if has_conditions(filters) else 1)
        found = await self._retriever.retrieve(query, self.embedder.embed_query, scope, pool, when)
        superseded: list[Row] = []
        if when is not None:
            superseded = await past.widen(backend, found, query, scope, when, self.config.search,
                                          self._retriever.reweighed)
        # The caller's score is a relevance comparable across queries (search/calibrate), in the fused order.
        found.signals["fused"] = dict(found.scores)
        scale = scale_of(self.embedder.identity, query)
        found.scores = calibrated(found.scores, found.signals.get("vector", {}), scale)
        # Results keep the fused order; the threshold applies to the score the caller sees.
        ranked = [mid for mid in found.scores if threshold is None or round(found.scores[mid], 6) >= threshold]
        reranker = self.reranker if rerank else None
        window = rerank_window(reranker, limit)
        results = await self._records(backend, ranked, found, window, matches, explain, _validity(when),
                                      step=max(window, 50) if has_conditions(filters) else window + 5)
        if reranker is not None:
            results = await rerank_records(reranker, query, results, limit, explain)
        return {"results": results, "relations": await self._relations(backend, found, superseded, when)}

    @staticmethod
    async def _records(backend: GraphBackend, ranked: list[str], found: Retrieval, limit: int,
                       matches: Callable[[dict[str, Any]], bool], explain: bool, valid: Callable[[Row], bool],
                       step: int) -> list[dict[str, Any]]:
        """The best `limit` ranked memories that still exist, were valid and pass the filters, read `step` at a time."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(ranked) if limit > 0 else 0, step):
            chunk = ranked[start:start + step]
            rows = {r["id"]: r for r in await backend.memory_rows(chunk)}
            for mid in chunk:
                row = rows.get(mid)
                if row is None or not valid(row):
                    continue
                record = memory_record(row, round(found.scores[mid], 6))
                if not matches(record):
                    continue
                if explain:
                    record["explain"] = {name: s[mid] for name, s in found.signals.items() if mid in s}
                results.append(record)
                if len(results) >= limit:
                    return results
        return results

    async def _relations(self, backend: GraphBackend, found: Retrieval, superseded: list[Row],
                         when: datetime | None) -> list[dict[str, Any]]:
        """The best relations found; at a past time, those valid then, superseded ones included."""
        most = self.config.search.max_relations
        if when is None:
            return await self._relations_by_id(backend, found.relations[:most])
        held = [r for r in await self._relations_by_id(backend, found.relations)
                if past.valid_then(r, when, start="valid_at")]
        joined = held + [relation_record(past.relation_row(r)) for r in superseded]
        return sorted(joined, key=lambda r: -r.get("score", 0.0))[:most]

    async def _relations_by_id(self, backend: GraphBackend, ranked: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not ranked:
            return []
        rows = {r["id"]: r for r in await backend.read("graph/relations_by_id", {"ids": [r["id"] for r in ranked]})}
        return [relation_record({**rows[r["id"]], "score": round(r["score"], 6), "hops": r["hops"]})
                for r in ranked if r["id"] in rows]

    async def get(self, memory_id: str) -> dict[str, Any] | None:
        """One memory by id, or None (as mem0)."""
        backend = await self._ready()
        rows = await backend.read("memory/get", {"id": forms.check_memory_id(memory_id)})
        return memory_record(rows[0]) if rows else None

    async def get_all(self, *, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
                      filters: dict[str, Any] | None = None, limit: int = 100, top_k: int | None = None,
                      show_expired: bool = False, **mem0_options: Any) -> dict[str, Any]:
        """The scope's memories, newest first, and its relations. Expired ones only with `show_expired`."""
        forms.check_ignored("get_all", mem0_options)
        limit = forms.check_limit(top_k if top_k is not None else limit, "top_k" if top_k is not None else "limit")
        keep = forms.record_filter(filters, show_expired)  # checks the filters' shape first
        scope = _scope_from(user_id, agent_id, run_id, filters)
        backend = await self._ready()
        results = await list_memories(backend, scope, limit, keep, selective=has_conditions(filters),
                                      contains=store_prefilter(filters))
        relation_rows_ = await backend.read("relation/list",
                                            {"limit": limit, "include_invalid": False, **scope.params()})
        return {"results": results, "relations": [relation_record(r) for r in relation_rows_]}

    async def history(self, memory_id: str) -> list[dict[str, Any]]:
        """ADD / UPDATE / DELETE events of a memory, oldest first."""
        backend = await self._ready()
        rows = await backend.read("event/list", {"memory_id": forms.check_memory_id(memory_id)})
        return [history_record(r) for r in rows]

    # -- the graph around entities: graphmem/explore.py, for agents' tools ----------------------

    async def entity_neighbourhood(self, entity: str, *, hops: int = 1, as_of: datetime | str | None = None,
                                   limit: int = 50, user_id: str | None = None, agent_id: str | None = None,
                                   run_id: str | None = None) -> dict[str, Any]:
        """The relations within `hops` (1-3) of an entity, nearest first; valid now, or at `as_of`."""
        return await explore.neighbourhood(await self._ready(), Scope.of(user_id, agent_id, run_id), entity,
                                           hops=hops, as_of=as_of, limit=limit)

    async def paths_between(self, source: str, target: str, *, max_hops: int = 3, as_of: datetime | str | None = None,
                            user_id: str | None = None, agent_id: str | None = None,
                            run_id: str | None = None) -> dict[str, Any]:
        """Chains of relations linking two entities, shortest first."""
        return await explore.paths_between(await self._ready(), Scope.of(user_id, agent_id, run_id), source, target,
                                           max_hops=max_hops, as_of=as_of)

    async def entity_timeline(self, entity: str, *, limit: int = 100, user_id: str | None = None,
                              agent_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        """An entity's relations, ended ones too, and when each began and ended."""
        return await explore.timeline(await self._ready(), Scope.of(user_id, agent_id, run_id), entity, limit=limit)

    async def what_was_true(self, as_of: datetime | str, *, entity: str | None = None, limit: int = 50,
                            user_id: str | None = None, agent_id: str | None = None,
                            run_id: str | None = None) -> dict[str, Any]:
        """The memories and relations that held at `as_of`."""
        return await explore.what_was_true(await self._ready(), Scope.of(user_id, agent_id, run_id), as_of,
                                           entity=entity, limit=limit)

    async def entities(self, *, limit: int = 100, user_id: str | None = None, agent_id: str | None = None,
                       run_id: str | None = None) -> list[dict[str, Any]]:
        """The scope's entities, the most mentioned first."""
        return await explore.entities(await self._ready(), Scope.of(user_id, agent_id, run_id), limit)

    async def graph_summary(self, *, user_id: str | None = None, agent_id: str | None = None,
                            run_id: str | None = None) -> dict[str, Any]:
        """Counts of the scope's entities, memories and relations; its top entities and relation names."""
        return await explore.summary(await self._ready(), Scope.of(user_id, agent_id, run_id))

    async def scopes(self) -> list[Scope]:
        """The scopes that hold current memories."""
        return await explore.scopes(await self._ready())

    async def scope_sizes(self) -> list[tuple[Scope, int]]:
        """The scopes that hold current memories, each with how many unexpired ones it holds, in one read."""
        return await explore.scope_sizes(await self._ready())

    # -- the whole graph: networkx view, export, import (graphmem/graph.py) --------------------

    async def graph(self, *, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
                    as_of: datetime | str | None = None, include: Sequence[str] = graph_view.KINDS,
                    embeddings: bool = False) -> Any:
        """The scope's graph as a networkx.MultiDiGraph (typed nodes and edges); what held at `as_of` if given."""
        return await graph_view.view(await self._ready(), Scope.of(user_id, agent_id, run_id), as_of=as_of,
                                     include=include, embeddings=embeddings)

    async def export(self, path: str | Path | None = None, *, format: str = "json", user_id: str | None = None,
                     agent_id: str | None = None, run_id: str | None = None,
                     embeddings: bool = False) -> dict[str, Any]:
        """Write the scope's graph to `path` (json, graphml, gexf or cypher); without a path, return it as a dict."""
        return await graph_view.export(await self._ready(), Scope.of(user_id, agent_id, run_id), path, fmt=format,
                                       embeddings=embeddings)

    async def import_(self, source: str | Path | dict[str, Any], *, format: str | None = None,
                      progress: graph_view.Progress | None = None) -> dict[str, int]:
        """Load an export (a json, graphml or gexf file, or `export()`'s dict) into this store: same ids, texts,
        relations, validity and history."""
        return await graph_view.import_into(await self._ready_to_embed(), self.embedder, source, fmt=format,
                                            progress=progress, sentence_vectors=self.config.sentence_vectors)

    async def sources(self, memory_id: str) -> list[dict[str, Any]]:
        """The messages a memory came from (its provenance): role, name, content, when said."""
        return await graph_view.sources_of(await self._ready(), memory_id)

    # -- change ----------------------------------------------------------------------------

    async def update(self, memory_id: str, data: str | None = None, metadata: dict[str, Any] | None = None, *,
                     text: str | None = None,
                     expiration_date: date | str | forms.Unset | None = forms.UNSET) -> dict[str, str]:
        """Replace a memory's text (re-embedded, entities re-linked; history keeps the old text) and/or merge
        metadata into its own, as mem0 2.x: `update(id, text=...)`; `update(id, metadata=...)` or the same text
        writes the metadata alone (history records an UPDATE, as mem0's); `data` is the older name of `text`
        (and, as in mem0, the second positional argument)."""
        forms.check_update_args(data, text, metadata, expiration_date)
        new_text = forms.update_text(data, text)
        metadata = forms.check_metadata(metadata)
        expires = forms.expiration_change(expiration_date)
        if new_text is not None:
            check_length([new_text], self.config.max_message_chars, "text")
        backend = await (self._ready() if new_text is None else self._ready_to_embed())  # metadata: nothing to embed
        return await changes.update_memory(backend, self.embedder, self.extractor, forms.check_memory_id(memory_id),
                                           new_text, metadata, expires, utc_now(), self.config.sentence_vectors)

    async def delete(self, memory_id: str) -> dict[str, str]:
        """Delete a memory and the relations drawn from it; its history stays readable."""
        return await changes.delete_memory(await self._ready(), forms.check_memory_id(memory_id), utc_now())

    async def delete_all(self, *, user_id: str | None = None, agent_id: str | None = None,
                         run_id: str | None = None) -> dict[str, str]:
        """Delete every memory, entity and episode of a scope (any subset of ids, at least one)."""
        scope = Scope.of(user_id, agent_id, run_id)
        return await changes.delete_scope(await self._ready(), scope, utc_now())

    async def reset(self) -> None:
        """Delete everything in the store (every scope)."""
        backend = await self._ready()
        async with backend.locks.whole():  # no add, update or delete of any scope runs across it
            await backend.reset()
        self._embedder_marked = False  # the store is empty again: its next vectors will be recorded

    async def close(self) -> None:
        """Release the database (also after a failed open, which may hold it half-way) and the
        providers' HTTP clients."""
        try:
            await self.backend.close()
        finally:
            self._opened = self._embedder_marked = False
            await self.embedder.aclose()
            if self.reranker is not None:
                await self.reranker.aclose()
            extractor_close = getattr(self.extractor, "aclose", None)  # only the LLM extractor holds a client
            if extractor_close is not None:
                await extractor_close()


def _every(record: dict[str, Any]) -> bool:
    return True


def _validity(when: datetime | None) -> Callable[[Row], bool]:
    """Which memory rows a search returns: valid now, or valid at `when`."""
    if when is None:
        return lambda row: row["invalid_at"] is None
    return lambda row: past.valid_then(row, when)

