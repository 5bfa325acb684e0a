"""A scope exported from Kuzu imports into every backend (Kuzu -> ArcadeDB, Neo4j, Memgraph): the same memories,
relations with their validity, and history; and every backend draws the same graph and exports it back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_support import memory_config

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer


def _answer(text: str, source: str, relation: str, target: str, contradicts: str | None = None) -> dict[str, Any]:
    return {"facts": [{"text": text, "entities": [source, target], "updates": None, "contradicts": contradicts}],
            "entities": [{"name": source, "type": "person", "aliases": []}, {"name": target, "type": "location",
                                                                             "aliases": []}],
            "relations": [{"source": source, "relation": relation, "target": target, "fact": text, "valid_at": None}]}


SCRIPT = {"I live in Paris": _answer("alex lives in Paris", "alex", "lives_in", "Paris"),
          "I moved from Paris to Berlin": _answer("alex lives in Berlin", "alex", "lives_in", "Berlin", "m1")}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The snapshot of a Kuzu scope where a move superseded a memory and its relation, and a memory was edited."""
    db = tmp_path_factory.mktemp("source") / "kuzu"
    with LLMServer(SCRIPT) as server:
        llm = {"provider": "openai", "config": {"openai_base_url": server.openai_base_url, "api_key": "k",
                                                "retry_delay": 0.0, "timeout": 5.0}}
        with Memory({**memory_config({"provider": "kuzu", "config": {"db": str(db)}}), "llm": llm}) as source:
            source.add("I live in Paris", user_id="alex", timestamp="2023-01-10T09:00:00Z")
            source.add("I moved from Paris to Berlin", user_id="alex", timestamp="2024-01-15T09:00:00Z")
            [violin] = source.add("Sarah plays the violin", user_id="alex", infer=False,
                                  timestamp="2023-03-01T09:00:00Z")["results"]
            source.update(violin["id"], "Sarah plays the cello")
            yield source.export(user_id="alex")


def view(memory: Memory) -> dict[str, Any]:
    graph = memory.graph(user_id="alex", include=("entities", "memories", "episodes", "history"))
    nodes = {n: {k: v for k, v in a.items() if k != "metadata"} for n, a in graph.nodes(data=True)}
    edges = sorted(json.dumps([s, t, k, d], sort_keys=True) for s, t, k, d in graph.edges(keys=True, data=True))
    memories = [n for n, a in nodes.items() if a["kind"] == "memory"]
    return {"nodes": nodes, "edges": edges, "history": {m: memory.history(m) for m in memories},
            "current": sorted(r["memory"] for r in memory.get_all(user_id="alex")["results"])}


def test_an_export_from_kuzu_imports_with_validity_and_history(mem: Memory, exported: dict[str, Any],
                                                               tmp_path: Path) -> None:
    mem.import_(exported)
    seen = view(mem)
    assert seen["current"] == ["Sarah plays the cello", "alex lives in Berlin"]
    ended = [json.loads(e)[3] for e in seen["edges"] if json.loads(e)[3].get("invalid_at")]
    assert [(e["target"], e["invalid_at"][:10]) for e in ended] == [("Paris", "2024-01-15")]
    assert sorted(len(h) for h in seen["history"].values()) == [1, 2, 2]  # Paris: ADD, DELETE; violin: ADD, UPDATE
    again = mem.export(user_id="alex")
    assert {m["id"] for m in again["memories"]} == {m["id"] for m in exported["memories"]}
    with Memory(memory_config({"provider": "kuzu", "config": {"db": str(tmp_path / "back")}})) as back:
        back.import_(again)
        assert view(back) == seen


def test_the_cypher_script_loads_a_bolt_server_as_cypher_shell_would(arcadedb_store: dict[str, Any],
                                                                       exported: dict[str, Any],
                                                                       tmp_path: Path) -> None:
    """The `cypher` export run on ArcadeDB over Bolt as cypher-shell runs it: each `:param rows => <literal>`
    is evaluated by the server (`RETURN <literal>`), then the statement after it runs with that parameter."""
    from neo4j import GraphDatabase

    from graphmem.graph_files import write_snapshot_file

    script = tmp_path / "alex.cypher"
    write_snapshot_file(exported, script, "cypher")
    with Memory(memory_config(arcadedb_store)) as mem:
        mem.reset()
    config = arcadedb_store["config"]
    with GraphDatabase.driver(config["url"], auth=(config["username"], config["password"])) as driver:
        params: dict[str, Any] = {}
        for chunk in filter(None, (c.strip() for c in script.read_text("utf-8").split(";\n"))):
            lines = [line for line in chunk.splitlines() if not line.startswith("//")]
            if lines and lines[0].startswith(":param "):
                name, literal = lines[0][len(":param "):].split(" => ", 1)
                records, _, _ = driver.execute_query("RETURN " + literal + " AS value", database_=config["database"])
                params[name] = records[0]["value"]
            elif lines:
                driver.execute_query("\n".join(lines), params, database_=config["database"])
                params = {}
    with Memory(memory_config(arcadedb_store)) as loaded:
        assert sorted(r["memory"] for r in loaded.get_all(user_id="alex")["results"]) == [
            "Sarah plays the cello", "alex lives in Berlin"]
        graph = loaded.graph(user_id="alex", include=("entities", "history"))
        assert sorted((d["target"], bool(d["invalid_at"])) for *_, d in graph.edges(data=True)) == [
            ("Berlin", False), ("Paris", True)]
        paris = next(m["id"] for m in exported["memories"] if m["text"] == "alex lives in Paris")
        assert [h["event"] for h in loaded.history(paris)] == ["ADD", "DELETE"]
