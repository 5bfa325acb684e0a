"""The `cypher/explore/` guides run on every backend's own query interface and show what they say."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from contract_support import memory_config

from graphmem import Memory
from graphmem.resources import data_dir

GUIDES = data_dir("cypher") / "explore"
PARAMS = {"user_id": "alice", "from": "sarah", "to": "OPENAI", "at": "2100-01-01"}


def run_raw(store: dict[str, Any], text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """What a person would get in Neo4j Browser / Memgraph Lab / `graphmem cypher`."""
    if store["provider"] == "kuzu":
        import kuzu

        database = kuzu.Database(store["config"]["db"], read_only=True)
        try:
            result = kuzu.Connection(database).execute(text, params)
            columns = result.get_column_names()
            return [dict(zip(columns, row, strict=True)) for row in result.get_all()]
        finally:
            database.close()
    from neo4j import GraphDatabase

    config = store["config"]
    auth = (config.get("username") or "", config.get("password") or "")
    with GraphDatabase.driver(config["url"], auth=auth) as driver:
        records, _, _ = driver.execute_query(text, params, database_=config.get("database"))
        return [record.data() for record in records]


def guide(name: str) -> tuple[str, dict[str, Any]]:
    text = (GUIDES / f"{name}.cypher").read_text("utf-8")
    return text, {k: PARAMS[k] for k in set(re.findall(r"\$(\w+)", text))}


def test_every_guide_runs_and_shows_the_graph(graph_store: dict[str, Any]) -> None:
    with Memory(memory_config(graph_store)) as memory:
        memory.add("John works at OpenAI and is friends with Sarah", user_id="alice")
        memory.add("Sarah lives in Paris", user_id="alice")
        memory.add("Bob lives in Rome", user_id="bob")
    results = {path.stem: run_raw(graph_store, *guide(path.stem)) for path in sorted(GUIDES.glob("*.cypher"))}
    assert set(results) == {"neighbourhood", "paths_between", "valid_at", "most_connected", "memory_sources"}
    assert len(results["neighbourhood"]) == 3
    assert [row["hops"] for row in results["paths_between"]] == [2]
    assert {(r["source"], r["relationship"], r["target"]) for r in results["valid_at"]} == {
        ("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah"), ("Sarah", "lives_in", "Paris")}
    text, params = guide("valid_at")
    assert run_raw(graph_store, text, {**params, "at": "2000-01-01"}) == []
    top = results["most_connected"][0]
    assert (top["entity"], top["relations"], top["memories"]) == ("Sarah", 2, 2)
    assert {r["memory"] for r in results["memory_sources"]} == {"John works at OpenAI and is friends with Sarah",
                                                                 "Sarah lives in Paris"}
    assert all(r["said"] == [r["memory"]] for r in results["memory_sources"])


@pytest.mark.parametrize("path", sorted(GUIDES.glob("*.cypher")), ids=lambda p: Path(p).stem)
def test_guides_say_which_parameters_they_take(path: Path) -> None:
    text = path.read_text("utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
    for name in set(re.findall(r"\$(\w+)", text)):
        assert f"${name}" in header, f"{path.name} does not document ${name}"
