"""The offline graph stays true (no LLM configured): single-valued relations supersede, update() re-derives.

Real Kuzu, the hash embedder (the assertions are about which memories hold, not about ranking by
meaning), the default offline extractor (spaCy for English, jieba for Chinese)."""

from __future__ import annotations

import importlib.util
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from llm_support import entity, fact, llm_config, llm_memory, memory_config, relation

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer

Triple = tuple[str, str, str]


def all_relations(memory: Memory, user_id: str) -> list[dict[str, Any]]:
    """Every relation of the user, ended ones too (get_all shows only the valid ones)."""
    return memory._run(memory._async.backend.read(
        "relation/list", {"limit": 100, "include_invalid": True, "user_id": user_id, "agent_id": None, "run_id": None}))


def triples(relations: list[dict[str, Any]]) -> set[Triple]:
    return {(r["source"], r["relationship"], r["target"]) for r in relations}


def current(memory: Memory, user_id: str) -> list[str]:
    return [r["memory"] for r in memory.get_all(user_id=user_id)["results"]]


def ended(memory: Memory, user_id: str) -> set[Triple]:
    return {t for r in all_relations(memory, user_id) if r["invalid_at"] is not None
            for t in triples([r])}


def values(found: set[Triple]) -> set[str]:
    """The relations' ends other than the user."""
    return {name for source, _, target in found for name in (source, target)} - {"user123"}


def moment() -> datetime:
    """A time strictly between two adds."""
    time.sleep(0.01)
    when = datetime.now(timezone.utc)
    time.sleep(0.01)
    return when


def test_a_move_supersedes_the_old_home_as_the_llm_path_does(memory: Memory) -> None:
    [berlin] = memory.add("I live in Berlin.", user_id="alice")["results"]
    before = moment()
    moved = memory.add("I moved to Paris, I live in Paris now.", user_id="alice")
    paris_id = moved["results"][0]["id"]
    assert moved["results"] == [
        {"id": paris_id, "memory": "I moved to Paris, I live in Paris now.", "event": "ADD"},
        {"id": berlin["id"], "memory": "I live in Berlin.", "event": "DELETE"}]
    assert moved["relations"]["added_entities"] == [{"source": "alice", "relationship": "lives_in",
                                                     "target": "Paris"}]  # "moved to" reads as lives_in

    assert current(memory, "alice") == ["I moved to Paris, I live in Paris now."]
    assert triples(memory.get_all(user_id="alice")["relations"]) == {("alice", "lives_in", "Paris")}
    assert ended(memory, "alice") == {("alice", "lives_in", "Berlin")}
    found = memory.search("Where do I live?", user_id="alice")
    assert [r["memory"] for r in found["results"]] == ["I moved to Paris, I live in Paris now."]
    assert ("alice", "lives_in", "Berlin") not in triples(found["relations"])

    assert [(h["event"], h["old_memory"], h["new_memory"]) for h in memory.history(berlin["id"])] == [
        ("ADD", None, "I live in Berlin."), ("DELETE", "I live in Berlin.", "I moved to Paris, I live in Paris now.")]
    old = memory.get(berlin["id"])
    assert old is not None and old["invalid_at"] is not None
    then = memory.search("Where do I live?", user_id="alice", as_of=before)
    assert [r["memory"] for r in then["results"]] == ["I live in Berlin."]
    assert triples(then["relations"]) == {("alice", "lives_in", "Berlin")}


@pytest.mark.parametrize(("first", "second", "old", "new"), [
    ("I work at Google.", "I work for Microsoft now.", ("alice", "works_at", "Google"),
     ("alice", "works_for", "Microsoft")),
    ("I'm a nurse.", "I'm a teacher now.", ("alice", "is", "nurse"), ("alice", "is", "teacher")),
    ("I am vegetarian.", "I'm vegan now.", ("alice", "is", "vegetarian"), ("alice", "is", "vegan")),
    ("I'm single.", "Anna is my girlfriend.", ("alice", "is", "single"), ("Anna", "girlfriend_of", "alice")),
    ("My name is Bob.", "My name is Robert.", ("alice", "name", "Bob"), ("alice", "name", "Robert")),
    ("My name is Robert.", "Call me Bobby.", ("alice", "name", "Robert"), ("alice", "name", "Bobby")),
    ("I'm single.", "I got married.", ("alice", "is", "single"), ("alice", "is", "married")),
    ("I'm married to Anna.", "I'm divorced now.", ("alice", "married_to", "Anna"), ("alice", "is", "divorced")),
])
def test_each_single_valued_relation_holds_one_value(memory: Memory, first: str, second: str, old: Triple,
                                                     new: Triple) -> None:
    memory.add(first, user_id="alice")
    events = [(r["memory"], r["event"]) for r in memory.add(second, user_id="alice")["results"]]
    assert events == [(second, "ADD"), (first, "DELETE")]
    assert current(memory, "alice") == [second]
    assert triples(memory.get_all(user_id="alice")["relations"]) == {new}
    assert old in ended(memory, "alice")


@pytest.mark.parametrize(("first", "second"), [
    ("I live in Berlin.", "I like Paris."),              # another relation
    ("I'm married.", "My wife is Anna."),               # the same relationship, now with a name
    ("I'm a nurse.", "I'm a mother."),                  # not a job
    ("Sarah lives in Rome.", "I live in Paris."),       # another subject
    ("I live in Berlin.", "I live in Berlin and in Paris."),  # the old value is said again
])
def test_compatible_statements_both_stay(memory: Memory, first: str, second: str) -> None:
    memory.add(first, user_id="alice")
    assert [r["event"] for r in memory.add(second, user_id="alice")["results"]] == ["ADD"]
    assert set(current(memory, "alice")) == {first, second}
    assert ended(memory, "alice") == set()


def test_one_sentence_supersedes_every_memory_it_contradicts(memory: Memory) -> None:
    [home] = memory.add("I live in Berlin.", user_id="alice")["results"]
    [job] = memory.add("I work at Google.", user_id="alice")["results"]
    memory.add("I like jazz.", user_id="alice")
    said = "I moved to Paris and I work at Microsoft now."
    results = memory.add(said, user_id="alice")["results"]
    assert [(r["memory"], r["event"]) for r in results] == [
        (said, "ADD"), ("I live in Berlin.", "DELETE"), ("I work at Google.", "DELETE")]
    assert set(current(memory, "alice")) == {said, "I like jazz."}
    assert ended(memory, "alice") == {("alice", "lives_in", "Berlin"), ("alice", "works_at", "Google")}
    for stored in (home, job):
        assert [(h["event"], h["new_memory"]) for h in memory.history(stored["id"])][-1] == ("DELETE", said)


def test_an_older_statement_does_not_supersede_a_newer_one(memory: Memory) -> None:
    [berlin] = memory.add("I live in Berlin.", user_id="alice", timestamp="2024-06-01T00:00:00Z")["results"]
    imported = memory.add("I live in Paris.", user_id="alice", timestamp="2023-01-01T00:00:00Z")["results"]
    assert [(r["memory"], r["event"]) for r in imported] == [("I live in Paris.", "ADD")]
    assert imported[0]["invalid_at"] is not None  # stored as history, ended when Berlin was said
    assert current(memory, "alice") == ["I live in Berlin."]
    still = memory.get(berlin["id"])
    assert still is not None and still.get("invalid_at") is None
    assert triples(memory.get_all(user_id="alice")["relations"]) == {("alice", "lives_in", "Berlin")}
    then = memory.search("Where do I live?", user_id="alice", as_of=datetime(2023, 6, 1, tzinfo=timezone.utc))
    assert [r["memory"] for r in then["results"]] == ["I live in Paris."]


def test_scopes_do_not_contradict_each_other(memory: Memory) -> None:
    memory.add("I live in Berlin.", user_id="alice")
    memory.add("I live in Paris.", user_id="bob")
    memory.add("I live in Rome.", user_id="alice", agent_id="travel")
    assert current(memory, "bob") == ["I live in Paris."]
    assert "I live in Berlin." in current(memory, "alice")


@pytest.mark.parametrize(("first", "second", "old", "new"), [
    ("我住在台北", "我搬到上海了", "台北", "上海"),
    ("我在阿里巴巴上班", "我現在在騰訊工作", "阿里巴巴", "騰訊"),
    ("我是護士", "我現在是老師", "護士", "老師"),
    ("我吃素", "我現在是純素食者", "素食者", "純素食者"),
    ("我住在柏林。", "我已經搬到巴黎", "柏林", "巴黎"),
    ("我叫小明", "我的名字是小華", "小明", "小華"),
    ("我是單身", "我的女朋友是李娜", "單身", "李娜"),
])
def test_chinese_statements_supersede_too(memory: Memory, first: str, second: str, old: str, new: str) -> None:
    [stored] = memory.add(first, user_id="user123")["results"]
    before = moment()
    events = [(r["memory"], r["event"]) for r in memory.add(second, user_id="user123")["results"]]
    assert events == [(second, "ADD"), (first, "DELETE")]
    assert current(memory, "user123") == [second]
    assert values(triples(memory.get_all(user_id="user123")["relations"])) == {new}
    assert values(ended(memory, "user123")) == {old}
    assert [h["event"] for h in memory.history(stored["id"])] == ["ADD", "DELETE"]
    then = memory.search(first, user_id="user123", as_of=before)
    assert [r["memory"] for r in then["results"]] == [first]


def test_update_re_derives_the_relations(memory: Memory) -> None:
    [google] = memory.add("I work at Google.", user_id="alice")["results"]
    memory.add("I live in Berlin.", user_id="alice")
    before = moment()
    assert memory.update(google["id"], "I work at Microsoft.") == {"message": "Memory updated successfully!"}
    now = triples(memory.get_all(user_id="alice")["relations"])
    assert now == {("alice", "works_at", "Microsoft"), ("alice", "lives_in", "Berlin")}
    assert ended(memory, "alice") == {("alice", "works_at", "Google")}  # history, not deleted
    stored = {r["target"]: r for r in all_relations(memory, "alice")}
    assert stored["Google"]["invalid_at"] == stored["Microsoft"]["valid_at"]
    listed = {e["name"]: e for e in memory.entities(user_id="alice")}
    assert listed["Microsoft"]["type"] == "organization" and listed["Microsoft"]["mentions"] == 1
    assert "Google" not in listed  # no current memory names it, no valid relation touches it
    then = memory.search("Where do I work?", user_id="alice", as_of=before)
    assert ("alice", "works_at", "Google") in triples(then["relations"])
    found = memory.search("Where do I work?", user_id="alice")
    assert ("alice", "works_at", "Google") not in triples(found["relations"])


def test_an_update_keeps_what_the_new_text_still_says(memory: Memory) -> None:
    [fact] = memory.add("I work at Google and I live in Berlin.", user_id="alice")["results"]
    kept = {r["id"] for r in memory._run(memory._async.backend.read("relation/of_memories", {"ids": [fact["id"]]}))}
    memory.update(fact["id"], "I work at Google and I live in Paris.")
    assert triples(memory.get_all(user_id="alice")["relations"]) == {
        ("alice", "works_at", "Google"), ("alice", "lives_in", "Paris")}
    assert ended(memory, "alice") == {("alice", "lives_in", "Berlin")}
    after = {r["id"] for r in memory._run(memory._async.backend.read("relation/of_memories", {"ids": [fact["id"]]}))}
    assert len(kept & after) == 1  # works_at Google is the same edge, not ended and begun again


def test_a_metadata_update_leaves_the_relations(memory: Memory) -> None:
    [fact] = memory.add("I work at Google.", user_id="alice")["results"]
    memory.update(fact["id"], metadata={"topic": "work"})
    assert triples(memory.get_all(user_id="alice")["relations"]) == {("alice", "works_at", "Google")}
    assert ended(memory, "alice") == set()


def test_update_in_chinese(memory: Memory) -> None:
    [fact] = memory.add("我在阿里巴巴上班", user_id="user123")["results"]
    memory.update(fact["id"], "我在騰訊工作")
    assert triples(memory.get_all(user_id="user123")["relations"]) == {("user123", "works_at", "騰訊")}
    assert ended(memory, "user123") == {("user123", "works_at", "阿里巴巴")}


def test_a_verbatim_memory_gains_no_relations_by_an_update(memory: Memory) -> None:
    [said] = memory.add("I like trains.", user_id="alice", infer=False)["results"]
    memory.update(said["id"], "I work at Google.")
    assert memory.get_all(user_id="alice")["relations"] == []  # infer=False: entities linked, nothing inferred


def test_the_store_invariants_hold_after_supersessions_and_updates(memory: Memory) -> None:
    spec = importlib.util.spec_from_file_location(
        "invariants", Path(__file__).parents[1] / "reliability" / "invariants.py")
    assert spec is not None and spec.loader is not None
    invariants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(invariants)
    [job] = memory.add("I work at Google.", user_id="alice")["results"]
    memory.add("I live in Berlin.", user_id="alice")
    memory.add("I moved to Paris and I work at Microsoft now.", user_id="alice")
    memory.update(job["id"], "I work at IBM.")
    [name] = memory.add("我叫小明", user_id="alice")["results"]
    memory.add("我的名字是小華", user_id="alice")
    memory.update(name["id"], "我叫阿明")
    assert memory._run(invariants.broken(memory._async)) == {}


@pytest.mark.slow
def test_where_do_i_live_answers_the_new_home_with_real_embeddings(semantic_memory: Memory, user: str) -> None:
    for said in ("I live in Berlin.", "I like jazz and old movies.", "I moved to Paris, I live in Paris now."):
        semantic_memory.add(said, user_id=user)
    found = semantic_memory.search("Where do I live?", user_id=user)
    assert found["results"][0]["memory"] == "I moved to Paris, I live in Paris now."
    assert "I live in Berlin." not in [r["memory"] for r in found["results"]]
    for said in ("我住在台北", "我喜歡爵士樂", "我搬到上海了"):
        semantic_memory.add(said, user_id=user, agent_id="zh")
    found = semantic_memory.search("我住在哪裡？", user_id=user, agent_id="zh")
    assert found["results"][0]["memory"] == "我搬到上海了"
    assert "我住在台北" not in [r["memory"] for r in found["results"]]


def test_with_an_llm_an_update_leaves_the_models_relations() -> None:
    """The offline parse would not name relations as the model did: an edit keeps them (no LLM call)."""
    paris = {"facts": [fact("alex lives in Paris", "alex", "Paris")],
             "entities": [entity("alex", "person"), entity("Paris", "location")],
             "relations": [relation("alex", "lives_in", "Paris", "alex lives in Paris")]}
    with LLMServer({"I live in Paris": paris}) as server, llm_memory(memory_config(llm_config(server))) as memory:
        [stored] = memory.add("I live in Paris", user_id="alex")["results"]
        memory.update(stored["id"], "alex lives in Paris, France")
        assert triples(memory.get_all(user_id="alex")["relations"]) == {("alex", "lives_in", "Paris")}
        assert server.calls == {"chat": 1}
