"""A loaded scope's memories in RAM (vectors, BM25, lookup lists) and the cache of loaded scopes."""

from __future__ import annotations

import pytest

from graphmem.inprocess.cache import ScopeCache
from graphmem.inprocess.entities import ScopeEntities
from graphmem.inprocess.keywords import KeywordIndex, analyse
from graphmem.inprocess.scopes import ScopeMemories
from graphmem.inprocess.similarity import row_of_part
from graphmem.inprocess.vectors import VectorRow
from graphmem.scope import Scope


def row(row_id: str, embedding: list[float], user: str | None = "u", run: str | None = None, text: str = "",
        episodes: tuple[str, ...] = (), entities: tuple[str, ...] = ()) -> VectorRow:
    return VectorRow(id=row_id, owner=(user, None, run), embedding=embedding,
                     record={"id": row_id, "text": text, "episode_ids": list(episodes), "entity_ids": list(entities)})


def test_analyse_lowercases_stems_and_drops_stop_words() -> None:
    assert analyse("She was Running to the Libraries, and works_there!") == ["run", "librari", "work"]
    assert analyse("the and of") == []
    assert analyse("Café Zürich 東京") == ["café", "zürich", "东京"]  # Han folded to Simplified


def test_bm25_ranks_rarer_and_repeated_terms_higher() -> None:
    index = KeywordIndex()
    index.add([("a", "I went hiking in the mountains"), ("b", "hiking hiking every weekend"),
               ("c", "I like pottery"), ("d", "weekend plans")])
    hits = index.top("hiking pottery", 5)
    assert [h["id"] for h in hits] == ["c", "b", "a"]  # pottery is rarer than hiking; b says hiking twice
    assert all(h["score"] > 0 for h in hits)
    assert index.top("nothing matches", 5) == [] and index.top("the", 5) == []



def test_bm25_leaves_out_a_term_in_most_rows_while_the_query_has_a_rarer_one() -> None:
    index = KeywordIndex()
    index.add([("short", "Jon: Thanks!"), ("rome", "Jon: I took a short trip to Rome last week to clear my mind"),
               ("paris", "Gina: Paris?! Nice spot for a studio"), ("bye", "Jon: Bye!")])
    assert [h["id"] for h in index.top("Which cities has Jon visited? Rome or Paris", 5)] == ["paris", "rome"]
    assert [h["id"] for h in index.top("Jon", 5)] == ["short", "bye", "rome"]  # nothing rarer: the name counts

def test_coverage_is_the_share_of_telling_terms_some_live_row_holds() -> None:
    index = KeywordIndex()
    index.add([("a", "Jon: I took a short trip to Rome"), ("b", "Jon: Thanks!"), ("c", "Gina: a studio in Paris"),
               ("d", "Jon: Bye!")])
    assert index.coverage("Rome and Paris") == 1.0
    assert index.coverage("Which cities has Jon visited? Rome") == 1 / 3  # Jon is in most rows: not telling
    assert index.coverage("entrepreneurial journeys") == 0.0
    assert index.coverage("Jon") == 1.0 and index.coverage("the") == 1.0  # no telling term: nothing to judge
    index.remove(["a"])
    assert index.coverage("Rome and Paris") == 0.5  # a removed row's words are no longer the scope's
    assert KeywordIndex().coverage("Rome") == 1.0


def test_bm25_forgets_removed_rows_and_takes_a_row_again_under_its_id() -> None:
    index = KeywordIndex()
    index.add([("a", "red kayak"), ("b", "blue kayak")])
    index.remove(["a", "missing"])
    assert [h["id"] for h in index.top("kayak red", 5)] == ["b"]
    index.add([("a", "red kayak again")])
    assert [h["id"] for h in index.top("red", 5)] == ["a"]
    assert len(index) == 2


def test_scope_memories_answer_briefs_episodes_and_both_searches() -> None:
    memories = ScopeMemories(2, [row("m1", [1, 0], text="Caroline went to a pride parade", episodes=("s-1",),
                                     entities=("e1",)),
                                 row("m2", [0, 1], text="Melanie paints sunsets", episodes=("s-2",))])
    assert memories.keyword_top("parade", 5)[0]["id"] == "m1"
    assert memories.top([0, 1], 1)[0]["id"] == "m2"
    assert memories.briefs(["m2", "zz", "m1"]) == [
        {"id": "m2", "text": "Melanie paints sunsets", "actor_id": None, "episode_ids": ["s-2"], "entity_ids": [],
         "valid_at": None},
        {"id": "m1", "text": "Caroline went to a pride parade", "actor_id": None, "episode_ids": ["s-1"],
         "entity_ids": ["e1"], "valid_at": None}]
    assert memories.of_episodes(["s-2", "s-9"]) == [{"episode_id": "s-2", "memory_id": "m2"}]
    memories.remove(["m2"])
    assert memories.of_episodes(["s-2"]) == [] and memories.briefs(["m2"]) == []
    assert memories.keyword_top("sunsets", 5) == [] and len(memories) == 1


def test_a_context_vector_of_another_length_is_left_out_not_the_scope() -> None:
    odd = VectorRow(id="m2", owner=("u", None, None), embedding=[0.0, 1.0], context=[1.0, 0.0, 0.0],
                    record={"id": "m2", "text": "Melanie paints sunsets"})
    memories = ScopeMemories(2, [row("m1", [1, 0], text="Caroline went to a pride parade"), odd])
    assert [r["id"] for r in memories.top_in_context([0, 1], 2, 1.0)] == ["m2", "m1"]
    assert "m2" not in (memories._contexts or ())


def test_cache_adds_new_rows_only_to_the_loaded_scopes_that_own_them() -> None:
    cache = ScopeCache(2)
    user_u = cache.put("memory", Scope.of("u", None, None), [row("a", [1, 0])])
    run_r = cache.put("memory", Scope.of("u", None, "r"), [])
    cache.put("entity", Scope.of("u", None, None), [])
    cache.add("memory", [row("b", [0, 1], run="r"), row("c", [0, 1], user="v")])
    assert {r["id"] for r in user_u.top([0, 1], 5)} == {"a", "b"}
    assert {r["id"] for r in run_r.top([0, 1], 5)} == {"b"}
    assert cache.get("entity", Scope.of("u", None, None)) is not None
    assert cache.get("memory", Scope.of("v", None, None)) is None
    cache.remove("memory", ["b"])
    assert {r["id"] for r in user_u.top([0, 1], 5)} == {"a"}
    cache.forget("memory")
    assert cache.get("memory", Scope.of("u", None, None)) is None
    assert cache.get("entity", Scope.of("u", None, None)) is not None


def test_cache_drops_least_recently_used_scopes_over_its_row_budget() -> None:
    cache = ScopeCache(2, max_rows=2)
    cache.put("memory", Scope.of("a", None, None), [row("1", [1, 0], user="a")])
    cache.put("memory", Scope.of("b", None, None), [row("2", [1, 0], user="b")])
    assert cache.get("memory", Scope.of("a", None, None)) is not None  # now the most recent
    cache.put("memory", Scope.of("c", None, None), [row("3", [1, 0], user="c")])
    assert cache.get("memory", Scope.of("b", None, None)) is None
    assert cache.get("memory", Scope.of("a", None, None)) is not None


def test_scope_memories_list_who_mentions_an_entity_and_leave_hubs_out() -> None:
    memories = ScopeMemories(2, [row(f"m{i}", [1, 0], entities=("hub", "e1") if i == 0 else ("hub",))
                                 for i in range(4)])
    assert memories.mentioning(["e1", "hub"], max_degree=3) == [{"entity_id": "e1", "memory_id": "m0", "degree": 1}]
    assert len(memories.mentioning(["hub"], max_degree=4)) == 4
    assert [r["memory_id"] for r in memories.mentioning(["hub", "e1"], 4, per_entity=2)] == ["m0", "m1", "m0"]
    memories.remove(["m0"])
    assert memories.mentioning(["e1"], max_degree=3) == []


def test_scope_entities_link_names_and_aliases_as_they_change() -> None:
    cache = ScopeCache(2)
    scope = Scope.of("u", None, None)
    entities = cache.put("entity", scope, [VectorRow(id="e1", owner=("u", None, None), embedding=[1, 0],
                                                     name="Robert", names=["robert"])])
    assert isinstance(entities, ScopeEntities)
    assert entities.named(["bob", "robert"]) == [{"id": "e1"}]
    cache.rename([{"id": "e1", "aliases": ["bob"]}, {"id": "elsewhere", "aliases": ["x"]}])
    assert entities.named(["bob"]) == [{"id": "e1"}] and entities.named(["x"]) == []
    entities.remove(["e1"])
    assert entities.named(["bob", "robert"]) == []


def test_scope_entities_resolve_an_adds_names_for_exactly_one_owner() -> None:
    def entity(entity_id: str, name: str, run: str | None = None, record: bool = True) -> VectorRow:
        columns = {"id": entity_id, "name": name.title(), "name_norm": name, "type": "person", "aliases": [],
                   "mentions": 2}
        return VectorRow(id=entity_id, owner=("u", None, run), embedding=None, name=name.title(), names=[name],
                         record=columns if record else None)

    cache = ScopeCache(2)
    entities = cache.put("entity", Scope.of("u", None, None), [entity("e1", "robert"), entity("e2", "robert", "r")])
    assert isinstance(entities, ScopeEntities)
    owner = ("u", None, None)
    assert entities.by_names(["robert", "nobody"], owner) == [
        {"id": "e1", "name": "Robert", "name_norm": "robert", "type": "person", "aliases": [], "mentions": 2}]
    assert [r["id"] for r in entities.by_names(["robert"], ("u", None, "r")) or []] == ["e2"]
    cache.rename([{"id": "e1", "aliases": ["bob"]}])
    cache.mentioned([{"id": "e1", "memory_ids": ["m1", "m2", "m3"]}])
    [bob] = entities.by_names(["bob"], owner) or []
    assert bob["aliases"] == ["bob"] and bob["mentions"] == 5
    entities.remove(["e1"])
    assert entities.by_names(["bob", "robert"], owner) == []
    entities.extend([entity("e3", "carol", record=False)])  # loaded without the columns: ask the store
    assert entities.by_names(["carol"], owner) is None


def test_scope_memories_between_gives_the_latest_said_in_a_window() -> None:
    def said(row_id: str, at: str | None) -> VectorRow:
        return VectorRow(id=row_id, owner=("u", None, None), embedding=[1, 0],
                         record={"id": row_id, "text": row_id, "valid_at": at})

    memories = ScopeMemories(2, [said("a", "2023-05-01T00:00:00.000000+00:00"),
                                 said("b", "2023-05-31T23:59:59.999999+00:00"),
                                 said("c", "2023-06-01T00:00:00.000000+00:00"), said("d", None)])
    may = ("2023-05-01T00:00:00.000000+00:00", "2023-06-01T00:00:00.000000+00:00")
    assert [r["id"] for r in memories.between(*may, 10)] == ["b", "a"]  # the start holds, the end does not
    assert [r["id"] for r in memories.between(*may, 1)] == ["b"]
    assert [r["id"] for r in memories.between(None, None, 10)] == ["c", "b", "a"]  # no time, never in a window


def test_scope_memories_between_follows_adds_out_of_order_and_removals() -> None:
    def said(row_id: str, at: str) -> VectorRow:
        return VectorRow(id=row_id, owner=("u", None, None), embedding=[1, 0],
                         record={"id": row_id, "text": row_id, "valid_at": at})

    memories = ScopeMemories(2, [said("b", "2023-02"), said("d", "2023-04")])
    memories.extend([said("e", "2023-05")])  # newer than all: appended
    memories.extend([said("a", "2023-01"), said("c", "2023-03")])  # an import of older messages
    assert [r["id"] for r in memories.between(None, None, 10)] == ["e", "d", "c", "b", "a"]
    memories.remove(["c", "e", "zz"])
    assert [r["id"] for r in memories.between("2023-01", "2023-05", 10)] == ["d", "b", "a"]
    assert [r["id"] for r in memories.between("2023-01", "2023-05", 2)] == ["d", "b"]


def test_scope_memories_find_text_hashes_of_exactly_one_owner() -> None:
    def hashed(row_id: str, text_hash: str, run: str | None = None) -> VectorRow:
        return VectorRow(id=row_id, owner=("u", None, run), embedding=[1.0, 0.0],
                         record={"id": row_id, "text": row_id, "hash": text_hash})

    memories = ScopeMemories(2, [hashed("a", "h1"), hashed("b", "h1", run="r"), hashed("c", "h2")])
    assert memories.with_hashes(["h1", "h2", "h3", "h1"], ("u", None, None)) == [
        {"hash": "h1", "id": "a"}, {"hash": "h2", "id": "c"}]
    assert memories.with_hashes(["h1"], ("u", None, "r")) == [{"hash": "h1", "id": "b"}]
    memories.remove(["a"])  # deleted or superseded: the text is new again
    assert memories.with_hashes(["h1"], ("u", None, None)) == []
    memories.extend([hashed("d", "h1")])
    assert memories.with_hashes(["h1"], ("u", None, None)) == [{"hash": "h1", "id": "d"}]


def test_scope_entities_list_matches_oldest_first_as_the_store_does() -> None:
    rows = [VectorRow(id=i, owner=("u", None, None), embedding=None, name="Sam", names=["sam"],
                      record={"id": i, "name": "Sam", "name_norm": "sam", "type": None, "aliases": [], "mentions": 0})
            for i in ("e9", "e1", "e5")]
    entities = ScopeEntities(2, rows[:2])
    entities.extend(rows[2:])
    assert [r["id"] for r in entities.by_names(["sam"], ("u", None, None)) or []] == ["e9", "e1", "e5"]


def test_a_big_commit_reaches_the_scopes_loaded_before_it_in_steps_and_no_scope_loaded_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After a commit of many rows the loaded scopes take them in steps, the lock let go between steps; a
    scope loaded meanwhile read the commit from the store: it gets neither the rows nor the counts again."""
    from graphmem.backends import kuzu_writes

    monkeypatch.setattr(kuzu_writes, "ROWS_PER_STEP", 2)
    cache = ScopeCache(2)
    entity = VectorRow(id="e1", owner=("u", None, None), embedding=None, name="Bob", names=["bob"],
                       record={"id": "e1", "name": "Bob", "name_norm": "bob", "type": "person", "aliases": [],
                               "mentions": 1})
    before = cache.put("entity", Scope.of("u"), [entity])
    memories = cache.put("memory", Scope.of("u"), [])
    new = [row(f"m{i}", [1.0, float(i)], text=f"Bob said {i}") for i in range(5)]
    updates = [("add", ("memory", new)), ("mentioned", ([{"id": "e1", "memory_ids": ["m0", "m1"]}],))]
    with cache.lock:
        later = kuzu_writes.apply_updates(updates, cache)
    assert later is not None and len(memories) == 0  # nothing yet: it all comes in steps
    after = cache.put("entity", Scope.of("u", run_id="r"), [entity])  # loaded once the commit was in the store
    later()
    assert len(memories) == 5
    assert isinstance(before, ScopeEntities) and isinstance(after, ScopeEntities)
    assert before.by_names(["bob"], ("u", None, None))[0]["mentions"] == 3  # type: ignore[index]
    assert after.by_names(["bob"], ("u", None, None))[0]["mentions"] == 1  # type: ignore[index]


def test_warmed_terms_are_held_from_hold_to_the_last_cool_and_warming_alone_holds_nothing() -> None:
    from graphmem.inprocess import keywords

    text = "Zelda warmed seventeen unusual teapots"
    made = keywords.warm([text, text])
    assert made == {text: tuple(analyse(text))} and text not in keywords._warmed  # a cancelled add leaves nothing
    keywords.hold(made)
    keywords.hold(made)  # another add of the same text
    keywords.cool(made)
    assert keywords._warmed[text] == made[text]
    keywords.cool(made)
    assert text not in keywords._warmed and text not in keywords._warmed_by


def test_context_vectors_rank_by_own_plus_weighted_context_and_report_the_own_similarity(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import graphmem.inprocess.scopes as scopes

    own = row("own", [1.0, 0.0, 0.0])  # close by its own words, no context: it stands for its own
    reply = dataclasses.replace(row("reply", [0.0, 1.0, 0.0]), context=[1.0, 0.0, 0.0])  # close by its context
    far = dataclasses.replace(row("far", [0.6, 0.8, 0.0]), context=[0.0, 0.0, 1.0])
    memories = ScopeMemories(3, [own, reply, far])
    query = [1.0, 0.0, 0.0]
    assert [r["id"] for r in memories.top(query, 3)] == ["own", "far", "reply"]
    ranked = memories.top_in_context(query, 3, 1.0)
    assert [(r["id"], round(r["similarity"], 3)) for r in ranked] == [("own", 1.0), ("reply", 0.0), ("far", 0.6)]
    assert [r["id"] for r in memories.top_in_context(query, 3, 0.0)] == ["own", "far", "reply"]
    assert [r["id"] for r in memories.top_in_context(query, 1, 1.0)] == ["own"]
    # Past ANN_MIN_ROWS contexts only re-score the memories' own candidates (here the best 2 of own vectors).
    monkeypatch.setattr(scopes, "ANN_MIN_ROWS", 1)
    assert [r["id"] for r in memories.top_in_context(query, 1, 1.0)] == ["own"]
    memories.remove(["reply"])
    assert [r["id"] for r in memories.top_in_context(query, 3, 1.0)] == ["own", "far"]
    assert memories.held_vectors == 3  # two memories and the one context left


def test_a_scope_maps_its_sentences_and_contexts_to_their_memories_once_loaded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading in steps does not map the positions at every step: settling maps them all once (a saved index may
    move the rows then), and later adds extend the map."""
    import dataclasses

    from graphmem.inprocess import in_context, scopes

    mapped: list[int] = []
    positions = in_context.Owners.positions
    monkeypatch.setattr(in_context.Owners, "positions", lambda self: (mapped.append(1), positions(self))[1])
    rows = [dataclasses.replace(row(f"m{i}", [1.0, float(i), 0.0]), parts=[[1.0, 0.0, float(i)], [0.0, 1.0, 0.0]],
                                context=[0.0, float(i), 1.0]) for i in range(4 * scopes.ROWS_PER_STEP)]
    memories = ScopeMemories(3, rows)
    assert len(mapped) == 2  # sentences and contexts, once each
    memories.extend([dataclasses.replace(row("new", [0.0, 0.0, 1.0]), parts=[[0.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
                                         context=[0.0, 0.0, 1.0])])
    for owners, memory_of in ((memories._part_owners, row_of_part), (memories._context_owners, str)):
        assert owners is not None
        expected = [memories._vectors.position(memory_of(i)) for i in owners.child.ids_from(0)]
        assert owners.positions().tolist() == expected
