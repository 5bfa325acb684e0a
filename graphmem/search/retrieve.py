"""The read path: seeds (vector, keyword, entities), graph expansion, fusion. No LLM.

    query ─┬─ vector top-N memories ───────────────┐
           ├─ keyword (BM25, stemmed) top-N ───────┤
           └─ entities named in the query ─┐       ├─ reciprocal-rank fusion ─┬─ + named: candidates mentioning
              + entities of top memories   ├─ k-hop RELATES expansion ─ relations  │   the query's entities (hubs too)
                                           └─ memories mentioning them ─┘          ├─ + list: "What <kind> has X ...?"
                                                                                   │   ranks X's memories by <kind>
                                                                                   ├─ + feedback: keyword query with
                                                                                   │   the best hits' shared words
                                                                                   │   (in scopes of 30+ memories)
                                                                                   ├─ + session: hits of the sessions
                                                                                   │   that match best (off by default)
                                                                                   ├─ + context: next/previous turn
                                                                                   └─ × form: questions, other
                                                                                       speakers and, for "when?",
                                                                                       the untimed count less

The shared signal (search/shared: memories naming a specific entity that the best vector and keyword hits name,
in scopes of 150+ memories) joins the first fusion. The vector reads the query without the names of the
conversation's speakers it names (search/speakers); every other signal reads it whole.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from graphmem.backends.base import GraphBackend, Row
from graphmem.config import SearchConfig
from graphmem.ingest.normalize import name_candidates
from graphmem.ingest.plan import neighbour_episode_ids
from graphmem.scope import Scope
from graphmem.search.answer_time import asks_when, untimed_discounted
from graphmem.search.coverage import by_coverage, coverage_text
from graphmem.search.diversity import spread
from graphmem.search.feedback import feedback_terms
from graphmem.search.fusion import best, by_rank, fuse, hop_decay, lifted
from graphmem.search.lists import list_question, list_share, of_named_speakers
from graphmem.search.metadata_dates import dated_within
from graphmem.search.relations import rank_relations
from graphmem.search.scope_size import ScopeSizes
from graphmem.search.sessions import session_prior
from graphmem.search.shared import ranked_by_mentions, sharing
from graphmem.search.speakers import SAMPLED_MENTIONS, speakers_among, without_names
from graphmem.search.turns import discounted
from graphmem.search.when import Window, iso_utc, parse_time, time_window

_FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
ENTITY_SIMILARITY_FLOOR = 0.55
SEED_MEMORIES_FOR_ENTITIES = 3
HUB_DEGREE = 50
ALL_MENTIONS = 2**31 - 1
FEEDBACK_DOCS = 3
REWEIGHED = 50  # top hits re-weighed by their form (those a result page of the default pool is drawn from)


@dataclass
class Retrieval:
    """Fused memory scores and the relations found around the query's entities."""

    scores: dict[str, float]
    signals: dict[str, dict[str, float]]
    rankings: dict[str, list[str]]  # per signal, best first (the context lift is a signal without one)
    vector: list[float]  # the query's embedding
    relations: list[Row] = field(default_factory=list)
    config: SearchConfig | None = None  # the fusion's (a list question's may weigh the list signal less)
    # What ordered the vector ranking, by id: the similarity with the context vector's weighed in (ingest/context)
    vector_rank: dict[str, float] = field(default_factory=dict)


def keyword_query(query: str) -> str:
    """Plain words only: the full-text engine gets no operators from user text."""
    return " ".join(_WORD.findall(query))


class _Briefs:
    """The texts and lookup lists of the memories one search looks at, each asked of the store once."""

    def __init__(self, backend: GraphBackend, scope: Scope) -> None:
        self._backend = backend
        self.scope = scope
        self._held: dict[str, Row] = {}

    async def of(self, ids: list[str]) -> list[Row]:
        missing = [i for i in ids if i not in self._held]
        if missing:
            self._held.update((r["id"], r) for r in await self._backend.memory_briefs(missing, self.scope))
        return [self._held[i] for i in ids if i in self._held]


class Retriever:
    def __init__(self, backend: GraphBackend, config: SearchConfig,
                 embed_query: Callable[[str], Awaitable[list[float]]] | None = None) -> None:
        """`embed_query` embeds a list question's head phrase (search/lists; no list signal without it)."""
        self._backend = backend
        self._config = config
        self._embed_query = embed_query
        self._holds_at_least = ScopeSizes(backend).holds_at_least  # the big-scope signals' gate

    async def retrieve(self, query: str, embed: Callable[[str], Awaitable[list[float]]], scope: Scope, pool: int,
                       now: datetime | None = None) -> Retrieval:
        """`embed` embeds the query's words as its vector reads them (without the speakers it names, see
        search/speakers); the keyword lookup runs on the store meanwhile. `now` resolves the query's time cues
        (default: the current time)."""
        # The query's time cue, parsed once: the time signal ranks by it, and coverage leaves it out.
        now = now or datetime.now(timezone.utc)
        window = time_window(query, now)
        # A list question's head phrase is embedded from the start, beside the query's own embedding (each takes
        # one core: on two, a list question waits for one embedding, not two in a row).
        head, share = self._head_of_list(query)
        keyword = asyncio.ensure_future(self._first_keyword(query, scope, pool, window))
        try:
            named = await self._named_entities(query, scope)
            briefs = _Briefs(self._backend, scope)
            vector = await embed(without_names(query, await self._speakers(query, named, briefs)))
            keyword_rows, covered = await keyword
            # This search's own fusion weights (the retriever serves concurrent searches): the keyword signal's by
            # the query's coverage (search/coverage), a list question's by its share (search/lists).
            config = by_coverage(self._config, covered)
            if head is not None and share < 1:
                config = config.model_copy(update={"weights": {**config.weights,
                                                               "list": share * config.weights["list"]}})
            return await self._retrieve(query, vector, keyword_rows, named, scope, pool, window, now, head,
                                        config, briefs)
        finally:
            keyword.cancel()  # only matters when a lookup failed; a finished task ignores it
            if head is not None:
                head.cancel()

    def _head_of_list(self, query: str) -> tuple[asyncio.Future[list[float]] | None, float]:
        """A list question's head phrase's vector, being embedded, and the list signal's share of its weight
        (None, 0 for any other question, or without a list signal)."""
        if self._embed_query is None or self._config.weights.get("list", 0.0) <= 0:
            return None, 0.0
        listed = list_question(query)
        share = list_share(listed[1], self._config.list_max_rest, self._config.list_loose_weight) if listed else 0.0
        if listed is None or share <= 0:
            return None, 0.0
        return asyncio.ensure_future(self._embed_query(listed[0])), share

    async def _retrieve(self, query: str, vector: list[float], keyword_rows: list[Row], named: dict[str, float],
                        scope: Scope, pool: int, window: Window | None, now: datetime,
                        head: Awaitable[list[float]] | None, config: SearchConfig, briefs: _Briefs) -> Retrieval:
        """The rest of `retrieve`, from the query's vector on, fused with `config`'s weights; `now` ends an open
        time window (metadata dates may lie ahead); `head`: a list question's head phrase's vector (search/lists)."""
        vector_rows = await self._backend.vector_search("memory", vector, pool, scope,
                                                        self._config.context_vector_weight)
        entity_seeds = await self._similar_entities(vector, scope, named)
        similarity = {r["id"]: float(r["similarity"]) for r in vector_rows}
        top_vector = [r["id"] for r in vector_rows[:SEED_MEMORIES_FOR_ENTITIES]]
        entity_scores = await self._entities_of_top_memories(entity_seeds, top_vector, similarity, briefs)
        relations, reached = await self._expand(entity_scores)
        relations = rank_relations(relations, query, similarity)
        graph_rank = await self._memories_of_entities(reached, scope)
        rankings = {
            "vector": [r["id"] for r in vector_rows],
            "keyword": [r["id"] for r in keyword_rows],
            "graph": graph_rank,
        }
        signals = {
            "vector": similarity,
            "keyword": {r["id"]: float(r["score"]) for r in keyword_rows},
            "graph": by_rank(graph_rank),
        }
        if config.weights.get("shared", 0.0) > 0 and await self._holds_at_least(
                self._config.shared_min_memories, len(vector_rows), scope):
            rankings["shared"] = await sharing(self._backend, briefs.of, rankings, named, scope, pool)
            signals["shared"] = by_rank(rankings["shared"])
        scores = fuse(rankings, signals, config)
        if self._config.weights.get("named", 0.0) > 0 and named:
            rankings["named"] = await self._mentioning_named(named, scores, briefs)
            signals["named"] = by_rank(rankings["named"])
            scores = fuse(rankings, signals, config)
        if head is not None:
            list_rows = await self._listed(query, await head, scope, pool, briefs)
            rankings["list"] = [r["id"] for r in list_rows]
            signals["list"] = {r["id"]: float(r["similarity"]) for r in list_rows}
            scores = fuse(rankings, signals, config)
        if self._config.weights.get("feedback", 0.0) > 0 and await self._holds_at_least(
                self._config.feedback_min_memories, len(vector_rows), scope):
            feedback_rows = await self._feedback(query, scores, scope, pool, briefs)
            rankings["feedback"] = [r["id"] for r in feedback_rows]
            signals["feedback"] = {r["id"]: float(r["score"]) for r in feedback_rows}
            scores = fuse(rankings, signals, config)
        if window is not None and self._config.weights.get("time"):
            rankings["time"] = await self._in_window(window, now, scores, scope, pool, briefs)
            signals["time"] = {mid: 1.0 for mid in rankings["time"]}
            scores = fuse(rankings, signals, config)
        scores = await self._by_session(scores, briefs)
        scores, signals["context"] = await self._conversation_context(scores, scope, briefs)
        scores = await self._by_form(query, scores, briefs)
        scores = await self._spread(scores, briefs)
        rank = {r["id"]: float(r["rank"] if "rank" in r else r["similarity"]) for r in vector_rows}
        return Retrieval(scores=scores, signals=signals, rankings=rankings, vector=vector, relations=relations,
                         config=config, vector_rank=rank)

    async def _mentioning_named(self, named: dict[str, float], scores: dict[str, float], briefs: _Briefs) -> list[str]:
        """The candidates that mention an entity the query names, hubs included (a question about one
        speaker of a conversation is mostly answered by what that speaker said), best first."""
        rows = await briefs.of(best(scores))
        return [row["id"] for row in rows if not named.keys().isdisjoint(row.get("entity_ids") or ())]

    async def _listed(self, query: str, head: list[float], scope: Scope, pool: int, briefs: _Briefs) -> list[Row]:
        """The memories closest to a list question's head phrase (`head`, its vector: "European countries"),
        only those of the speakers the query names when some of them are theirs (search/lists)."""
        # One ranking of several: a big scope's index may be walked shorter for it (~2 ms less at 100k memories).
        rows = await self._backend.vector_search("memory", head, 2 * pool, scope, self._config.context_vector_weight,
                                                 approximate=True)
        texts = {row["id"]: row["text"] for row in await briefs.of([r["id"] for r in rows])}
        kept = set(of_named_speakers([r["id"] for r in rows], texts, set(name_candidates(query))))
        return [r for r in rows if r["id"] in kept][:pool]

    async def _in_window(self, window: Window, now: datetime, scores: dict[str, float], scope: Scope, pool: int,
                         briefs: _Briefs) -> list[str]:
        """Memories said within the query's time window, or whose metadata names a date in it
        (search/metadata_dates): the candidates among them by score, then up to `pool` others said then,
        latest first ("what did I do yesterday" finds yesterday's memories by time alone)."""
        candidates = best(scores, pool)
        rows = await briefs.of(candidates)
        said = {row["id"]: parse_time(row.get("valid_at")) for row in rows}
        if rows and any("metadata" not in row for row in rows):  # Kuzu's briefs have none: its rows are in RAM
            rows = await self._backend.memory_rows(candidates)
        dated = dated_within(window, rows, now)
        ranked = [mid for mid in candidates
                  if mid in dated or ((at := said.get(mid)) is not None and window.holds(at))]
        bound = (iso_utc(window.start) if window.start else None, iso_utc(window.end) if window.end else None)
        chosen = set(ranked)
        others = [row["id"] for row in await self._backend.memories_between(*bound, pool + len(chosen), scope)]
        return ranked + [mid for mid in others if mid not in chosen][:pool]

    async def _feedback(self, query: str, scores: dict[str, float], scope: Scope, pool: int,
                        briefs: _Briefs) -> list[Row]:
        """A second keyword query with the words the first round's best hits share."""
        top = best(scores, FEEDBACK_DOCS)
        if not top:
            return []
        terms = feedback_terms(query, [r["text"] for r in await briefs.of(top)])
        return await self._keyword(" ".join(terms), scope, pool) if terms else []

    async def _conversation_context(self, scores: dict[str, float], scope: Scope,
                                    briefs: _Briefs) -> tuple[dict[str, float], dict[str, float]]:
        """Lift the memories of the messages right after (and, less, right before) the best hits.

        In a conversation the answer often follows the turn that matches the
        question; episodes are numbered per scope, so a neighbour is one key lookup.
        """
        weight = self._config.context_weight
        top = best(scores, self._config.context_seeds)
        if weight <= 0 or not top:
            return scores, {}
        lifts: dict[str, tuple[float, float]] = {}  # neighbouring episode id -> (lift, the lender's score)
        for row in await briefs.of(top):
            for episode in row.get("episode_ids") or []:
                for offset, share in ((1, 1.0), (-1, 0.5)):
                    for neighbour in neighbour_episode_ids(episode, [offset]):
                        offered = (weight * share * scores[row["id"]], scores[row["id"]])
                        lifts[neighbour] = max(lifts.get(neighbour, (0.0, 0.0)), offered)
        bonus: dict[str, float] = {}
        ceiling: dict[str, float] = {}
        if lifts:
            # Episodes belong to one exact scope, inside the searched one; memories deleted or
            # superseded since are dropped when the results are read.
            for row in await self._backend.memories_of_episodes(list(lifts), scope):
                lift, lender = lifts[row["episode_id"]]
                if lift > bonus.get(row["memory_id"], 0.0):
                    bonus[row["memory_id"]], ceiling[row["memory_id"]] = lift, lender
        # A neighbour is context for the hit that lends to it: it may come up to that hit, not pass it.
        raised = dict(scores)
        for mid, lift in bonus.items():
            own = scores.get(mid, 0.0)
            raised[mid] = max(own, min(own + lift, ceiling[mid]))
        return raised, bonus

    async def _by_session(self, scores: dict[str, float], briefs: _Briefs) -> dict[str, float]:
        """The best hits lifted by how well their session matches the query (search/sessions; off
        unless configured)."""
        if self._config.session_prior <= 0:
            return scores
        top = best(scores, REWEIGHED)
        said = {row["id"]: parse_time(row.get("valid_at")) for row in await briefs.of(top)}
        return session_prior(scores, said, self._config.session_prior, REWEIGHED)

    async def _spread(self, scores: dict[str, float], briefs: _Briefs) -> dict[str, float]:
        """The best hits spread across the conversation (search/diversity; off unless configured)."""
        if self._config.diversity <= 0:
            return scores
        top = best(scores, REWEIGHED)
        episodes = {row["id"]: row.get("episode_ids") or [] for row in await briefs.of(top)}
        return spread(scores, episodes, self._config.diversity, self._config.diversity_span, REWEIGHED)

    async def _by_form(self, query: str, scores: dict[str, float], briefs: _Briefs) -> dict[str, float]:
        """The best hits re-weighed by who says them, whether they only ask (search/turns) and, for a question
        that asks when, whether they name a time (search/answer_time)."""
        config = self._config
        when = config.untimed_weight < 1 and asks_when(query)
        if config.question_weight >= 1 and config.other_speaker_weight >= 1 and not when:
            return scores
        texts = {row["id"]: row["text"] for row in await briefs.of(best(scores, REWEIGHED))}
        scores = discounted(scores, texts, set(name_candidates(query)), config.question_weight,
                            config.other_speaker_weight)
        return untimed_discounted(scores, texts, config.untimed_weight) if when else scores

    async def reweighed(self, query: str, fused: dict[str, float], lifts: Mapping[str, float],
                        scope: Scope) -> dict[str, float]:
        """Fused scores taken again through the steps after fusion (the session prior, the context lift `lifts`,
        the form, the spread): for a fusion redone with more memories (search/as_of.widen)."""
        briefs = _Briefs(self._backend, scope)
        scores = lifted(await self._by_session(fused, briefs), lifts)
        return await self._spread(await self._by_form(query, scores, briefs), briefs)

    async def _first_keyword(self, query: str, scope: Scope, pool: int,
                             window: Window | None) -> tuple[list[Row], float | None]:
        """The keyword ranking, and how much of the query the scope's words cover when it matters
        (search/coverage)."""
        rows = await self._keyword(query, scope, pool)
        if not rows or not self._config.keyword_coverage or self._config.weights.get("keyword", 0.0) <= 0:
            return rows, None
        text = keyword_query(coverage_text(query, window))
        return rows, await self._backend.keyword_coverage(text, scope) if text else None

    async def _keyword(self, query: str, scope: Scope, pool: int) -> list[Row]:
        text = keyword_query(query)
        if not text:
            return []
        return await self._backend.keyword_search(text, pool, scope)

    async def _named_entities(self, query: str, scope: Scope) -> dict[str, float]:
        """Entities the query names (n-gram match; first person → the user)."""
        names = name_candidates(query)
        if scope.user_id and _FIRST_PERSON.search(query):
            names.append(scope.user_id.casefold())
        if not names:
            return {}
        return {row["id"]: 1.0 for row in await self._backend.entities_named(names, scope)}

    async def _speakers(self, query: str, named: dict[str, float], briefs: _Briefs) -> set[str]:
        """The names of the query that say some of the scope's memories (read from the first memories that
        mention each entity it names)."""
        if not named or self._config.speaker_names_in_vector:
            return set()
        rows = await self._backend.memories_mentioning(list(named), ALL_MENTIONS, briefs.scope, SAMPLED_MENTIONS)
        sampled = list(dict.fromkeys(row["memory_id"] for row in rows))
        return speakers_among(name_candidates(query), await briefs.of(sampled))

    async def _similar_entities(self, vector: list[float], scope: Scope, named: dict[str, float]) -> dict[str, float]:
        """The named entities plus those whose embedding resembles the query."""
        seeds = dict(named)
        for row in await self._backend.vector_search("entity", vector, 5, scope):
            similarity = float(row["similarity"])
            if similarity >= ENTITY_SIMILARITY_FLOOR:
                seeds[row["id"]] = max(seeds.get(row["id"], 0.0), similarity)
        return seeds

    @staticmethod
    async def _entities_of_top_memories(seeds: dict[str, float], memory_ids: list[str],
                                        similarity: dict[str, float], briefs: _Briefs) -> dict[str, float]:
        """The seeds plus the entities the top vector hits mention (at half their similarity)."""
        scores = dict(seeds)
        for row in await briefs.of(memory_ids):
            for entity_id in row.get("entity_ids") or ():
                scores[entity_id] = max(scores.get(entity_id, 0.0), 0.5 * similarity.get(row["id"], 0.0))
        return scores

    async def _expand(self, seeds: dict[str, float]) -> tuple[list[Row], dict[str, float]]:
        """Breadth-first over valid RELATES edges, one query per hop; scores fade per hop."""
        reached = dict(seeds)
        relations: dict[str, Row] = {}
        frontier = dict(seeds)
        for hop in range(1, self._config.hops + 1):
            if not frontier:
                break
            rows = await self._backend.read("graph/neighbours", {"ids": list(frontier)})
            next_frontier: dict[str, float] = {}
            for row in rows:
                score = hop_decay(frontier[row["from_id"]], hop)
                if row["id"] not in relations or relations[row["id"]]["score"] < score:
                    relations[row["id"]] = {**row, "score": score, "hops": hop}
                if row["to_id"] not in reached:
                    next_frontier[row["to_id"]] = max(next_frontier.get(row["to_id"], 0.0), score)
            reached.update({k: v for k, v in next_frontier.items() if k not in reached})
            frontier = next_frontier
        ranked = sorted(relations.values(), key=lambda r: -r["score"])
        return ranked, reached

    async def _memories_of_entities(self, entities: dict[str, float], scope: Scope) -> list[str]:
        """Memories ranked by the summed scores of the reached entities they mention.

        An entity's share is divided by the square root of how many memories
        mention it, so a hub (the user, a speaker) does not drown specific ones.
        """
        if not entities:
            return []
        rows = await self._backend.memories_mentioning(list(entities), HUB_DEGREE, scope)
        return ranked_by_mentions(rows, self._config.candidates, entities)
