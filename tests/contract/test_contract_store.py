"""The backend protocol on every backend: vector and keyword search, k-hop expansion, transactions, reset.

Rows are written through `Memory` (so the statements are the ones `add` really runs) and read
back through the bare protocol: `read`, `write`, `vector_search`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from contract_support import DIMS, Backend

from graphmem import Memory
from graphmem.backends.base import Row, Statement, VectorTable
from graphmem.config import HashEmbedder
from graphmem.errors import BackendError, ConfigError, GraphMemError
from graphmem.ingest.plan import count_mentions
from graphmem.ingest.resolve import add_new_entities, resolve_entities
from graphmem.models import ExtractedEntity
from graphmem.providers.embedders import create_embedder
from graphmem.scope import Scope

EMBEDDER = create_embedder(HashEmbedder())


def embed(text: str) -> list[float]:
    return asyncio.run(EMBEDDER.embed_query(text))


def remember(mem: Memory, texts: list[str], **scope: str) -> list[str]:
    result = mem.add([{"role": "user", "content": t} for t in texts], infer=False, **scope)
    return [r["id"] for r in result["results"]]


def read(mem: Memory, name: str, **params: Any) -> list[Row]:
    return mem._run(mem._async.backend.read(name, params))


def vector_search(mem: Memory, table: VectorTable, text: str, k: int, **scope: str) -> list[Row]:
    return mem._run(mem._async.backend.vector_search(table, embed(text), k, Scope.of(**scope)))


def keyword(mem: Memory, query: str, limit: int = 10, **scope: str) -> list[Row]:
    return mem._run(mem._async.backend.keyword_search(query, limit, Scope.of(**scope)))


def entity_ids(mem: Memory, user: str, *names: str) -> dict[str, str]:
    rows = read(mem, "entity/match_names", names=[n.casefold() for n in names], user_id=user, agent_id=None,
                run_id=None)
    return {r["name"]: r["id"] for r in rows}


# -- vector search ---------------------------------------------------------------------------


def test_vector_search_ranks_the_scope_best_first(mem: Memory) -> None:
    texts = ["I love pizza with olives", "The train to Berlin leaves at noon", "My sister plays the violin"]
    ids = dict(zip(texts, remember(mem, texts, user_id="alice"), strict=True))
    for text in texts:
        rows = vector_search(mem, "memory", text, 3, user_id="alice")
        assert rows[0]["id"] == ids[text]
        assert rows[0]["similarity"] == pytest.approx(1.0, abs=1e-4)
        similarities = [r["similarity"] for r in rows]
        assert similarities == sorted(similarities, reverse=True)
        assert all(-1.0001 <= s <= 1.0001 for s in similarities)
    assert len(vector_search(mem, "memory", "pizza", 2, user_id="alice")) == 2
    assert vector_search(mem, "memory", "pizza", 0, user_id="alice") == []


def test_vector_search_never_leaves_the_scope(mem: Memory) -> None:
    [mine] = remember(mem, ["I love pizza"], user_id="alice", agent_id="chef")
    remember(mem, ["I love pizza"], user_id="bob")
    remember(mem, ["I love pizza"], user_id="alice", agent_id="waiter")
    assert [r["id"] for r in vector_search(mem, "memory", "I love pizza", 10, user_id="alice", agent_id="chef")] \
        == [mine]
    assert len(vector_search(mem, "memory", "I love pizza", 10, user_id="alice")) == 2  # both of alice's agents
    assert vector_search(mem, "memory", "I love pizza", 10, user_id="carol") == []


def test_a_small_scope_in_a_big_store_is_not_starved(mem: Memory) -> None:
    remember(mem, [f"I love pizza number {i}" for i in range(60)], user_id="big")
    small = remember(mem, ["pizza is my favourite food", "the weather is nice"], user_id="small")
    rows = vector_search(mem, "memory", "I love pizza", 5, user_id="small")
    assert sorted(r["id"] for r in rows) == sorted(small)
    assert rows[0]["id"] == small[0]


def test_entity_vector_search_returns_names(mem: Memory) -> None:
    mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    rows = vector_search(mem, "entity", "Sarah", 3, user_id="alice")
    assert rows[0]["name"] == "Sarah" and rows[0]["similarity"] == pytest.approx(1.0, abs=1e-4)
    assert {r["name"] for r in vector_search(mem, "entity", "Sarah", 10, user_id="alice")} >= {"John", "OpenAI"}
    assert vector_search(mem, "entity", "Sarah", 3, user_id="bob") == []


def test_entities_linked_by_infer_false_have_no_vector_but_are_found_by_name(mem: Memory) -> None:
    remember(mem, ["John works at OpenAI"], user_id="alice")
    mem.add("Sarah met John in Paris", user_id="alice")  # infer=True: new entities get a vector
    names = {r["name"] for r in vector_search(mem, "entity", "John", 10, user_id="alice")}
    assert "Sarah" in names and not names & {"John", "OpenAI"}
    assert set(entity_ids(mem, "alice", "John", "OpenAI")) == {"John", "OpenAI"}
    found = mem.search("Where does John work?", user_id="alice", explain=True)["results"]
    assert found[0]["memory"] == "John works at OpenAI"


def test_deleted_and_updated_memories_leave_the_vector_search(mem: Memory) -> None:
    gone, changed = remember(mem, ["I love pizza", "I live in Paris"], user_id="alice")
    mem.delete(gone)
    mem.update(changed, "I live in Rome")
    assert [r["id"] for r in vector_search(mem, "memory", "I love pizza", 5, user_id="alice")] == [changed]
    top = vector_search(mem, "memory", "I live in Rome", 1, user_id="alice")[0]
    assert top["id"] == changed and top["similarity"] == pytest.approx(1.0, abs=1e-4)


# -- keyword search --------------------------------------------------------------------------


def test_keyword_search_finds_words_in_the_scope(mem: Memory) -> None:
    pizza, berlin, _ = remember(mem, ["I love pizza with olives", "John works in Berlin",
                                      "My sister plays the violin"], user_id="alice")
    remember(mem, ["pizza pizza pizza"], user_id="bob")
    assert [r["id"] for r in keyword(mem, "pizza", user_id="alice")] == [pizza]
    assert [r["id"] for r in keyword(mem, "Where is John working", user_id="alice")] == [berlin]  # stemmed
    assert keyword(mem, "tennis", user_id="alice") == []
    rows = keyword(mem, "pizza olives Berlin", user_id="alice")
    assert [r["id"] for r in rows] == [pizza, berlin] and rows[0]["score"] >= rows[1]["score"] > 0
    assert len(keyword(mem, "pizza", user_id="bob")) == 1


def test_keyword_search_reads_chinese_words(mem: Memory) -> None:
    food, work = remember(mem, ["我喜歡披薩，討厭青花菜", "John 在 OpenAI 工作"], user_id="alice")
    assert [r["id"] for r in keyword(mem, "青花菜", user_id="alice")] == [food]
    assert [r["id"] for r in keyword(mem, "John 在哪裡工作？", user_id="alice")] == [work]


def test_keyword_search_takes_no_operators_from_the_query(mem: Memory) -> None:
    [pizza] = remember(mem, ["Pizza AND pasta OR salad"], user_id="alice")
    for query in ("pizza AND NOT pasta", "OR", "salad OR", "pizza TO pasta"):
        found = keyword(mem, query, user_id="alice")
        assert [r["id"] for r in found] in ([pizza], []), query


def test_keyword_search_skips_invalidated_memories(mem: Memory) -> None:
    [old] = remember(mem, ["I work at Acme"], user_id="alice")
    mem._run(mem._async.backend.write([Statement("memory/invalidate", {"id": old, "invalid_at": "2026-01-01",
                                                                          "updated_at": "2026-01-01"})]))
    assert keyword(mem, "Acme", user_id="alice") == []
    assert vector_search(mem, "memory", "I work at Acme", 5, user_id="alice") == []


# -- graph -----------------------------------------------------------------------------------


def test_k_hop_expansion_follows_relations_both_ways(mem: Memory) -> None:
    mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    entities = entity_ids(mem, "alice", "John", "OpenAI", "Sarah")
    assert set(entities) == {"John", "OpenAI", "Sarah"}
    first = read(mem, "graph/neighbours", ids=[entities["Sarah"]])
    assert {(r["from_name"], r["to_name"], r["type"]) for r in first} == {("Sarah", "John", "friend_of")}
    second = read(mem, "graph/neighbours", ids=[r["to_id"] for r in first])
    assert {(r["to_name"], r["type"]) for r in second} == {("OpenAI", "works_at"), ("Sarah", "friend_of")}
    relations = mem.search("Who is Sarah?", user_id="alice")["relations"]
    assert {(r["source"], r["relationship"], r["target"]) for r in relations} \
        == {("John", "friend_of", "Sarah"), ("John", "works_at", "OpenAI")}
    assert read(mem, "graph/neighbours", ids=[entities["Sarah"]]) == first  # the same on a second look
    assert mem.search("Who is Sarah?", user_id="bob")["relations"] == []


def mentioning(mem: Memory, ids: list[str], max_degree: int, per_entity: int | None = None,
               **scope: str) -> list[Row]:
    return mem._run(mem._async.backend.memories_mentioning(ids, max_degree, Scope.of(**scope), per_entity))


def test_memories_mentioning_entities_count_their_degree(mem: Memory) -> None:
    mem.add("John works at OpenAI", user_id="alice", infer=False)
    mem.add("John is friends with Sarah", user_id="alice", infer=False)
    mem.add("John met Sarah for lunch", user_id="alice", infer=False)
    entities = entity_ids(mem, "alice", "John", "OpenAI", "Sarah")
    rows = mentioning(mem, [entities["John"], entities["Sarah"]], 50, user_id="alice")
    degree = {r["entity_id"]: r["degree"] for r in rows}
    assert degree == {entities["John"]: 3, entities["Sarah"]: 2}
    assert len({r["memory_id"] for r in rows}) == 3
    assert mentioning(mem, [entities["John"]], 2, user_id="alice") == []  # a hub is left out
    first = mentioning(mem, [entities["John"], entities["Sarah"]], 50, per_entity=1, user_id="alice")
    # At most one of each (a sample: the store's order), each with the entity's whole degree.
    assert sorted((r["entity_id"], r["degree"]) for r in first) \
        == sorted([(entities["John"], 3), (entities["Sarah"], 2)])
    assert {(r["entity_id"], r["memory_id"]) for r in first} <= {(r["entity_id"], r["memory_id"]) for r in rows}


# -- transactions, reset, schema -------------------------------------------------------------


def _counter(key: str) -> Statement:
    return Statement("thread/start", {"key": key, "value": "0", "said_until": "2024-06-01T00:00:00.000000+00:00",
                                      "sk": "probe", "user_id": "probe", "agent_id": None, "run_id": None})


def test_a_failed_write_leaves_nothing(backend: Backend) -> None:
    with pytest.raises(GraphMemError):
        backend.write(Statement("admin/set_meta", {"key": "probe", "value": "1"}), _counter("dup"), _counter("dup"))
    assert backend.read("admin/get_meta", {"key": "probe"}) == []
    assert backend.read("thread/get", {"key": "dup"}) == []
    backend.write(Statement("admin/set_meta", {"key": "probe", "value": "1"}), _counter("dup"))
    assert backend.read("admin/get_meta", {"key": "probe"}) == [{"value": "1"}]
    assert backend.read("thread/get", {"key": "dup"}) == [{"value": "0",
                                                          "said_until": "2024-06-01T00:00:00.000000+00:00"}]


def test_an_add_that_fails_mid_plan_writes_nothing(mem: Memory) -> None:
    backend = mem._async.backend
    original = backend.write

    async def failing(statements: Any) -> None:
        await original([*statements, _counter("dup"), _counter("dup")])

    backend.write = failing  # type: ignore[method-assign]
    try:
        with pytest.raises(BackendError):
            mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")
    finally:
        backend.write = original  # type: ignore[method-assign]
    assert mem.get_all(user_id="alice") == {"results": [], "relations": []}
    assert entity_ids(mem, "alice", "John", "OpenAI", "Sarah") == {}
    assert vector_search(mem, "memory", "John works at OpenAI", 5, user_id="alice") == []
    assert mem.add("John works at OpenAI and is friends with Sarah", user_id="alice")["results"]


def test_reset_empties_the_store_and_keeps_it_usable(mem: Memory) -> None:
    remember(mem, ["I love pizza"], user_id="alice")
    mem.add("John works at OpenAI", user_id="bob")
    mem.reset()
    assert entity_ids(mem, "bob", "John", "OpenAI") == {}
    for user in ("alice", "bob"):
        assert mem.get_all(user_id=user) == {"results": [], "relations": []}
        assert mem.search("pizza OpenAI", user_id=user)["results"] == []
    [again] = remember(mem, ["I love pizza"], user_id="alice")
    assert [r["id"] for r in mem.search("pizza", user_id="alice")["results"]] == [again]


def test_reopening_with_other_dimensions_is_refused(graph_store: dict[str, Any]) -> None:
    with Backend(graph_store) as first:
        first.write(Statement("admin/set_meta", {"key": "probe", "value": "1"}))
    with pytest.raises(ConfigError, match=f"{DIMS}-dim"):
        Backend(graph_store, dims=DIMS // 2)
    with Backend(graph_store) as again:  # the failed open left it as it was
        assert again.read("admin/get_meta", {"key": "probe"}) == [{"value": "1"}]


def test_entities_and_relations_are_upserted_not_repeated(mem: Memory) -> None:
    mem.add("John works at OpenAI", user_id="alice")
    mem.add("John still works at OpenAI with Sarah", user_id="alice")
    john = read(mem, "entity/match_names", names=["john"], user_id="alice", agent_id=None, run_id=None)
    assert len(john) == 1  # resolved to the stored entity, not created again
    works = [r for r in mem.get_all(user_id="alice")["relations"] if r["relationship"] == "works_at"]
    assert [(r["source"], r["target"]) for r in works] == [("John", "OpenAI")]
    assert len({r["memory_id"] for r in mentioning(mem, [john[0]["id"]], 50, user_id="alice")}) == 2
    mem.add("John works at OpenAI", user_id="bob")  # another scope gets its own John
    assert len(read(mem, "entity/match_names", names=["john"], user_id=None, agent_id=None, run_id=None)) == 2


def test_two_entities_resolved_to_one_stored_entity_keep_all_their_aliases(mem: Memory) -> None:
    scope, now = Scope.of("alice"), "2026-01-01T00:00:00.000000+00:00"
    backend = mem._async.backend
    mem.get_all(user_id="alice")  # opens the store

    async def resolve_twice() -> list[dict[str, Any]]:
        robert = [ExtractedEntity(name="Robert", type="person", aliases=["Bob"])]
        table, fresh = await resolve_entities(backend, scope, robert, now)
        add_new_entities(table, fresh, [None], scope, now)
        count_mentions(table, [])  # fills the new row's mention count and list
        await backend.write([Statement("entity/create", {"rows": table.new_rows})])
        # Not one entity to the extraction (no name in common), but both are the stored Robert.
        both = [ExtractedEntity(name="Bob", type="person", aliases=["Bobby"]),
                ExtractedEntity(name="Robert", type="person", aliases=["Rob"])]
        table, fresh = await resolve_entities(backend, scope, both, now)
        assert fresh == []
        return table.alias_rows

    [row] = mem._run(resolve_twice())
    assert row["aliases"] == ["bob", "bobby", "rob"]
