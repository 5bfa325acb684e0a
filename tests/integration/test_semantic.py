"""The README quickstart and graph questions, with the real local embedder (all-MiniLM-L6-v2).

One Memory for the whole session (the model loads once); each test has its own user_id.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphmem import Memory

pytestmark = pytest.mark.slow

QUICKSTART = [
    {"role": "user", "content": "I'm a vegetarian and I love pizza, but I hate broccoli."},
    {"role": "assistant", "content": "Got it, I'll remember your food preferences."},
]


def ends(relations: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["source"], r["target"]) for r in relations}


def test_quickstart(semantic_memory: Memory) -> None:
    semantic_memory.delete_all(user_id="user123")
    added = semantic_memory.add(QUICKSTART, user_id="user123")
    assert added["results"] and added["relations"]["added_entities"]
    found = semantic_memory.search("food preferences", user_id="user123")
    assert found["results"]
    assert any("pizza" in r["memory"] for r in found["results"])
    assert {("user123", "pizza"), ("user123", "broccoli")} <= ends(found["relations"])
    listed = semantic_memory.get_all(user_id="user123")
    assert {r["id"] for r in listed["results"]} == {r["id"] for r in added["results"]}
    assert {("user123", "pizza"), ("user123", "broccoli")} <= ends(listed["relations"])


def test_who_does_john_work_with(semantic_memory: Memory, user: str) -> None:
    added = semantic_memory.add("John works at OpenAI and is friends with Sarah", user_id=user)
    assert {("John", "OpenAI"), ("John", "Sarah")} <= ends(added["relations"]["added_entities"])
    found = semantic_memory.search("Who does John work with?", user_id=user)
    assert found["results"][0]["memory"] == "John works at OpenAI and is friends with Sarah"
    assert {("John", "OpenAI"), ("John", "Sarah")} <= ends(found["relations"])


def test_search_ranks_by_meaning(semantic_memory: Memory, user: str) -> None:
    for text in ("My car is a blue Tesla", "I work as a nurse in Boston", "I'm a vegetarian and I love pizza",
                 "I go climbing every Sunday"):
        semantic_memory.add(text, user_id=user, infer=False)
    for query, expected in (("What should I cook for dinner?", "I'm a vegetarian and I love pizza"),
                            ("What is my job?", "I work as a nurse in Boston"),
                            ("Which vehicle do I drive?", "My car is a blue Tesla"),
                            ("weekend hobbies", "I go climbing every Sunday")):
        results = semantic_memory.search(query, user_id=user)["results"]
        assert results[0]["memory"] == expected, (query, [r["memory"] for r in results])
        assert all(0.0 <= r["score"] <= 1.0 for r in results)


def test_semantic_search_stays_in_scope(semantic_memory: Memory, user: str) -> None:
    semantic_memory.add("I'm allergic to peanuts", user_id=user, infer=False)
    semantic_memory.add("I'm allergic to shellfish", user_id=user + "-other", infer=False)
    found = semantic_memory.search("What am I allergic to?", user_id=user)
    assert [r["memory"] for r in found["results"]] == ["I'm allergic to peanuts"]
