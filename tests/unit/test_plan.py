"""The write plan of one add (graphmem/ingest/plan.py): pure, ordered, mem0-shaped results."""

from __future__ import annotations

import json
from typing import Any

from graphmem.backends.base import added_episodes
from graphmem.ingest.normalize import memory_hash
from graphmem.ingest.plan import (
    MENTION_LIST_CAP,
    AddPlan,
    EntityTable,
    NewMemory,
    Thread,
    build_add_plan,
    count_mentions,
    neighbour_episode_ids,
    relation_rows,
)
from graphmem.models import ExtractedRelation, Message
from graphmem.scope import Scope

NOW = "2026-01-01T00:00:00+00:00"
SCOPE = Scope.of(user_id="alice", agent_id="bot")
MESSAGES = [Message(role="system", content="be brief"), Message(role="user", content="I love pizza", name="alice"),
            Message(role="assistant", content="Noted!")]
ORDER = ["entity/create", "entity/set_aliases", "entity/add_mentions", "episode/add", "episode/create", "memory/add",
         "memory/link_episode", "memory/link_entities", "relation/create", "thread/start"]


def entity_table() -> EntityTable:
    table = EntityTable()
    table.ids = {"alice": "e-alice", "pizza": "e-pizza"}
    table.names = {"e-alice": "alice", "e-pizza": "pizza"}
    table.new_rows = [{"id": "e-pizza", "name": "pizza"}]
    table.alias_rows = [{"id": "e-alice", "aliases": ["al"], "updated_at": NOW}]
    return table


def make_plan(metadata: dict[str, object] | None = None) -> tuple[AddPlan, list[NewMemory]]:
    memories = [NewMemory(text="alice: I love pizza", embedding=[1.0, 0.0], entity_names=["alice", "Pizza", "pizza"],
                          role="user", actor_id="alice", source=0),
                NewMemory(text="Noted!", embedding=[0.0, 1.0], entity_names=["nobody"], role="assistant")]
    table = entity_table()
    relations = relation_rows([ExtractedRelation(source="alice", relation="loves", target="pizza",
                                                 fact="alice: I love pizza")],
                              table, set(), {"alice: I love pizza": memories[0].id}, None, NOW)
    return build_add_plan(SCOPE, NOW, MESSAGES, memories, table, relations, metadata, None), memories


def rows_of(plan: AddPlan, name: str) -> list[dict[str, Any]]:
    return [row for s in plan.statements if s.name == name for row in s.params["rows"]]


def added(plan: AddPlan) -> list[dict[str, Any]]:
    """The episodes with new memories (episode/add, or episode/add_one for one message with one memory)."""
    return [row for s in plan.statements for row in added_episodes(s)]


def episodes_of(plan: AddPlan) -> list[dict[str, Any]]:
    """The add's episodes in message order: those with new memories and the others."""
    return sorted(added(plan) + rows_of(plan, "episode/create"), key=lambda e: e["id"])


def memories_of(plan: AddPlan) -> list[dict[str, Any]]:
    """The new memories, in the order of their events: under their first episode, or on their own."""
    rows = [m for e in added(plan) for m in e["memories"]] + rows_of(plan, "memory/add")
    return sorted(rows, key=lambda m: m["event_seq"])


def derived_from(plan: AddPlan) -> list[tuple[str, str]]:
    """(memory id, episode id) of every DERIVED_FROM edge the plan makes."""
    nested = [(m["id"], e["id"]) for e in added(plan) for m in e["memories"]]
    return nested + [(r["memory_id"], r["episode_id"]) for r in rows_of(plan, "memory/link_episode")]


def test_statements_run_nodes_first_then_edges() -> None:
    plan, _ = make_plan()
    assert [s.name for s in plan.statements] == ORDER


def test_episodes_are_numbered_after_the_scopes_earlier_ones() -> None:
    memories = [NewMemory(text="hello there", embedding=[1.0, 0.0], entity_names=[])]
    plan = build_add_plan(SCOPE, NOW, MESSAGES, memories, EntityTable(), [], None, None, first_seq=7,
                          said_until=NOW)
    episodes = episodes_of(plan)
    sk = SCOPE.keys()["sk"]
    assert [e["id"] for e in episodes] == [f"{sk}-{7 + i}" for i in range(len(episodes))]
    assert plan.statements[-1].name == "thread/advance"
    assert plan.statements[-1].params == {"key": f"{sk}-count", "value": str(7 + len(episodes)), "said_until": NOW}
    assert neighbour_episode_ids(f"{sk}-7", [1, -1]) == [f"{sk}-8", f"{sk}-6"]
    assert neighbour_episode_ids(f"{sk}-0", [-1]) == []


def test_the_counter_keeps_the_latest_time_an_add_to_the_scope_was_said() -> None:
    earlier, later = "2023-01-01T00:00:00.000000+00:00", "2024-06-01T00:00:00.000000+00:00"
    assert Thread.of([]).said_after(earlier) == earlier  # a new scope
    assert Thread.of([{"value": "3", "said_until": later}]) == Thread(3, later)
    assert Thread(3, later).said_after(earlier) == later and Thread(3, earlier).said_after(later) == later
    assert Thread(3, None).said_after(later) is None  # a store from before it was kept: unknown stays unknown


def test_each_memory_links_only_to_the_message_it_came_from() -> None:
    plan, memories = make_plan()
    episodes = episodes_of(plan)
    sources = [m for m in MESSAGES if m.role != "system"]
    for memory in memories:
        linked = [episode_id for memory_id, episode_id in derived_from(plan) if memory_id == memory.id]
        expected = episodes if memory.source is None else [episodes[memory.source]]
        assert linked == [e["id"] for e in expected]
    assert len(sources) == len(episodes)


def test_results_have_mem0_shape() -> None:
    plan, memories = make_plan()
    assert plan.results == [{"id": m.id, "memory": m.text, "event": "ADD"} for m in memories]
    assert plan.added_relations == [{"source": "alice", "relationship": "loves", "target": "pizza"}]


def test_system_messages_make_no_episode() -> None:
    plan, _ = make_plan()
    episodes = episodes_of(plan)
    assert [(e["role"], e["content"], e["name"]) for e in episodes] == [
        ("user", "I love pizza", "alice"), ("assistant", "Noted!", None)]
    assert all(e["user_id"] == "alice" and e["agent_id"] == "bot" and e["sk"] == SCOPE.keys()["sk"] for e in episodes)


def test_memory_rows_carry_scope_hash_and_metadata() -> None:
    metadata = {"nested": {"list": [1, "é"]}, "emoji": "😀"}
    plan, memories = make_plan(metadata)
    for params, memory in zip(memories_of(plan), memories, strict=True):
        assert params["id"] == memory.id and params["text"] == memory.text
        assert params["hash"] == memory_hash(memory.text)
        assert json.loads(params["metadata"]) == metadata
        assert params["created_at"] == NOW and params["updated_at"] is None and params["invalid_at"] is None
        assert {k: params[k] for k in ("user_id", "agent_id", "run_id")} == SCOPE.params()
        assert {k: params[k] for k in ("sk", "uk", "ak", "rk")} == SCOPE.keys()


def test_edges_link_each_memory_once() -> None:
    plan, memories = make_plan()
    rows = {s.name: s.params["rows"] for s in plan.statements if "rows" in s.params}
    adds = memories_of(plan)
    # MENTIONS edges are made from the memory's entity_ids: "Pizza" and "pizza" resolve to one entity; an
    # unknown name links nothing.
    assert adds[0]["entity_ids"] == ["e-alice", "e-pizza"] and adds[1]["entity_ids"] == []
    assert rows["memory/link_entities"] == []  # only for memories of no message of the add
    episode_ids = [e["id"] for e in episodes_of(plan)]
    assert derived_from(plan) == [(memories[0].id, episode_ids[0]), (memories[1].id, episode_ids[0]),
                                  (memories[1].id, episode_ids[1])]  # source unknown: every message
    assert [(a["id"], a["event"], a["old_text"], a["text"], a["event_seq"]) for a in adds] == [
        (m.id, "ADD", None, m.text, seq) for seq, m in enumerate(memories)]
    # The lookup lists repeat the edges on the memory: its episodes and entities. An episode keeps none.
    assert adds[0]["episode_ids"] == episode_ids[:1] and adds[1]["episode_ids"] == episode_ids
    assert all("memory_ids" not in episode for episode in episodes_of(plan))
    assert [(r["source_id"], r["type"], r["target_id"], r["memory_id"]) for r in rows["relation/create"]] == [
        ("e-alice", "loves", "e-pizza", memories[0].id)]


def test_a_memory_of_no_message_is_created_on_its_own_with_its_entity_links() -> None:
    memory = NewMemory(text="be brief", embedding=[1.0, 0.0], entity_names=["alice"], role="system")
    plan = build_add_plan(SCOPE, NOW, MESSAGES[:1], [memory], entity_table(), [], None, None)
    assert [m["id"] for m in rows_of(plan, "memory/add")] == [memory.id] and episodes_of(plan) == []
    assert rows_of(plan, "memory/link_entities") == [{"memory_id": memory.id, "entity_id": "e-alice"}]


def test_nothing_new_gives_empty_batches_and_no_results() -> None:
    plan = build_add_plan(SCOPE, NOW, MESSAGES[1:2], [], EntityTable(), [], None, None)
    assert plan.results == [] and plan.added_relations == []
    assert [s.name for s in plan.statements if not s.is_empty_batch()] == ["episode/create", "thread/start"]


def test_mentions_are_counted_on_new_entities_and_added_to_stored_ones() -> None:
    table = entity_table()
    table.new_rows.append({"id": "e-new", "name": "Newt"})
    mentions = [{"memory_id": f"m{i}", "entity_id": "e-new"} for i in range(MENTION_LIST_CAP + 3)]
    statement = count_mentions(table, [*mentions, {"memory_id": "m1", "entity_id": "e-alice"}])
    assert table.new_rows[-1]["mentions"] == MENTION_LIST_CAP + 3
    assert len(table.new_rows[-1]["mention_ids"]) == MENTION_LIST_CAP  # past the cap it is a hub
    assert statement.params == {"rows": [{"id": "e-alice", "memory_ids": ["m1"]}], "cap": MENTION_LIST_CAP}
    table.mentions["e-alice"] = MENTION_LIST_CAP  # a stored hub is left alone
    assert count_mentions(table, [{"memory_id": "m2", "entity_id": "e-alice"}]).params["rows"] == []


def test_relation_rows_skip_known_self_and_unresolved() -> None:
    table = entity_table()
    rels = [ExtractedRelation(source="alice", relation="loves", target="pizza"),
            ExtractedRelation(source="alice", relation="loves", target="pizza"),  # repeated in one extraction
            ExtractedRelation(source="alice", relation="is", target="Alice"),  # self loop
            ExtractedRelation(source="alice", relation="knows", target="bob"),  # bob unresolved
            ExtractedRelation(source="pizza", relation="eaten_by", target="alice")]
    rows = relation_rows(rels, table, {("e-pizza", "eaten_by", "e-alice")}, {}, "ep-1", NOW)
    assert [(r["source_id"], r["type"], r["target_id"]) for r in rows] == [("e-alice", "loves", "e-pizza")]
    assert rows[0]["episode_id"] == "ep-1" and rows[0]["valid_at"] == NOW and rows[0]["invalid_at"] is None


def test_plan_is_deterministic_apart_from_ids() -> None:
    first, _ = make_plan()
    second, _ = make_plan()
    assert [s.name for s in first.statements] == [s.name for s in second.statements]
    assert [len(s.params.get("rows", [])) for s in first.statements] == [
        len(s.params.get("rows", [])) for s in second.statements]


def test_one_message_with_one_memory_is_written_flat() -> None:
    memory = NewMemory(text="I love pizza", embedding=[1.0, 0.0], entity_names=["pizza"], role="user", source=0)
    table = entity_table()
    plan = build_add_plan(SCOPE, NOW, MESSAGES[1:2], [memory], table, [], {"k": "v"}, None)
    [flat] = [s for s in plan.statements if s.name == "episode/add_one"]
    assert "episode/add" not in [s.name for s in plan.statements]
    assert flat.params["mem_id"] == memory.id and flat.params["mem_entity_ids"] == ["e-pizza"]
    assert "memory_ids" not in flat.params and flat.params["content"] == "I love pizza"
    [episode] = added_episodes(flat)
    assert [m["id"] for m in episode["memories"]] == [memory.id] and episode["id"] == flat.params["id"]
    assert json.loads(episode["memories"][0]["metadata"]) == {"k": "v"}


def test_two_memories_of_one_message_keep_the_nested_statement() -> None:
    memories = [NewMemory(text=t, embedding=[1.0, 0.0], entity_names=[], source=0) for t in ("a fact", "another")]
    plan = build_add_plan(SCOPE, NOW, MESSAGES[1:2], memories, EntityTable(), [], None, None)
    assert "episode/add_one" not in [s.name for s in plan.statements]
    assert [len(e["memories"]) for e in added(plan)] == [2]
