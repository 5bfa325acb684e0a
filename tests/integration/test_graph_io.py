"""Export and import: a scope written to json / graphml / gexf and read into a fresh Kuzu store gives back
the same memories (superseded ones too), entities, relations with their validity, and history; the
`graphmem export` / `graphmem import` commands do the same from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from graph_support import BEFORE_MOVE, USER, known_store, store_config
from typer.testing import CliRunner

from graphmem import Memory, ValidationError
from graphmem.graph_commands import register


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    with known_store(tmp_path_factory.mktemp("source") / "db") as memory:
        yield memory


def state(memory: Memory) -> dict[str, Any]:
    """What a round trip must keep: current memories and relations, every memory (ended ones too) with its
    validity and history, every relation with its validity, and what held before the move."""
    graph = memory.graph(user_id=USER, include=("entities", "memories", "history"))
    memories = {n: a for n, a in graph.nodes(data=True) if a["kind"] == "memory"}
    current = memory.get_all(user_id=USER)
    past = memory.search("Where does alex live?", user_id=USER, as_of=datetime.fromisoformat(BEFORE_MOVE))
    return {
        "results": sorted(current["results"], key=lambda r: r["id"]),
        "relations": sorted(json.dumps(r, sort_keys=True) for r in current["relations"]),
        "memories": {mid: (a["text"], a["valid_at"], a["invalid_at"], a["created_at"]) for mid, a in memories.items()},
        "got": {mid: memory.get(mid) for mid in memories},
        "history": {mid: memory.history(mid) for mid in memories},
        "edges": sorted((d["id"], d["source"], d["type"], d["target"], d["fact"], d["valid_at"], d["invalid_at"],
                         d["memory_id"]) for *_, d in graph.edges(data=True) if d["label"] == "RELATES"),
        "before_move": sorted(r["memory"] for r in past["results"]),
        "entities": sorted((a["name"], a["type"], a["mentions"]) for _, a in graph.nodes(data=True)
                           if a["kind"] == "entity"),
    }


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf"])
def test_a_round_trip_into_a_fresh_store_keeps_memories_relations_validity_and_history(
        source: Memory, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"alex.{fmt}"
    written = source.export(path, format=fmt, user_id=USER)
    assert written["memories"] == 6 and written["relations"] == 6 and path.stat().st_size > 0
    with Memory(store_config(tmp_path / "fresh")) as fresh:
        loaded = fresh.import_(path)
        assert loaded["memories"] == 6 and loaded["events"] >= 7
        before, after = state(source), state(fresh)
        assert after == before
        assert "alex lives in Paris" in after["before_move"] and "alex lives in Berlin" not in after["before_move"]
        assert any(len(h) == 2 for h in after["history"].values())  # the pizza memory's ADD and UPDATE
        # the imported scope is live: it is searched, and a new add numbers its episodes on
        assert fresh.search("violin", user_id=USER, limit=1)["results"][0]["memory"].startswith("Sarah plays")
        fresh.add("alex adopted a cat", user_id=USER, infer=False, timestamp="2024-03-01T00:00:00Z")
        assert len(fresh.get_all(user_id=USER)["results"]) == len(before["results"]) + 1


def test_the_json_export_without_a_path_is_the_snapshot_and_imports_as_such(source: Memory, tmp_path: Path) -> None:
    snapshot = source.export(user_id=USER)
    assert snapshot["format"] == "graphmem-graph" and "embedding" not in snapshot["memories"][0]
    with_vectors = source.export(user_id=USER, embeddings=True)
    assert len(with_vectors["memories"][0]["embedding"]) > 0
    with Memory(store_config(tmp_path / "fresh")) as fresh:
        fresh.import_(with_vectors)
        assert state(fresh) == state(source)


def test_an_import_refuses_ids_the_store_holds_and_files_it_cannot_read(source: Memory, tmp_path: Path) -> None:
    snapshot = source.export(user_id=USER)
    with pytest.raises(ValidationError) as refused:
        source.import_(snapshot)
    assert refused.value.field == "data"
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    with pytest.raises(ValidationError) as unreadable:
        source.import_(tmp_path / "notes.txt")
    assert unreadable.value.field == "path"
    with pytest.raises(ValidationError) as bad_format:
        source.export(tmp_path / "x.csv", format="csv", user_id=USER)
    assert bad_format.value.field == "format"
    with pytest.raises(ValidationError) as not_ours:
        source.import_({"format": "something-else"})
    assert not_ours.value.field == "data"
    with Memory(store_config(tmp_path / "busy")) as busy:
        busy.add("something else", user_id=USER, infer=False)
        with pytest.raises(ValidationError, match="already holds the scope") as held:
            busy.import_(snapshot)
        assert held.value.field == "data" and len(busy.get_all(user_id=USER)["results"]) == 1
    broken = {**snapshot, "relations": [{**snapshot["relations"][0], "target_id": None}]}
    with pytest.raises(ValidationError) as incomplete:
        source.import_(broken)
    assert incomplete.value.field == "relations" and "target_id" in str(incomplete.value)


def test_the_cypher_export_is_a_neo4j_script_of_parameters_and_fixed_statements(source: Memory, tmp_path: Path) -> None:
    path = tmp_path / "alex.cypher"
    source.export(path, format="cypher", user_id=USER)
    text = path.read_text("utf-8")
    assert text.count(":param rows => [") >= 6
    assert "CREATE (:Memory {id: row.id" in text and "CREATE (a)-[:RELATES {id: row.id" in text
    assert '`text`: "alex lives in Paris"' in text and "`invalid_at`: \"2024-01-15T09:00:00.000000+00:00\"" in text


def test_the_export_and_import_commands(source: Memory, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    path = tmp_path / "alex.graphml"
    snapshot = source.export(user_id=USER)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(snapshot), "utf-8")
    runner = CliRunner()
    first = tmp_path / "first"
    imported = runner.invoke(app, ["import", str(seed), "--db", str(first), "--config", _hash_config(tmp_path)])
    assert imported.exit_code == 0, imported.output
    assert "imported 6 memories" in imported.output
    exported = runner.invoke(app, ["export", str(path), "--user-id", USER, "--format", "graphml", "--db", str(first),
                                   "--config", _hash_config(tmp_path), "--json"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["memories"] == 6
    with Memory(store_config(tmp_path / "second")) as second:
        second.import_(path)
        assert state(second) == state(source)


def _hash_config(folder: Path) -> str:
    path = folder / "config.json"
    path.write_text(json.dumps({"embedder": {"provider": "hash"}}), "utf-8")
    return str(path)


def test_a_scope_with_entities_with_and_without_vectors_imports(tmp_path: Path) -> None:
    # An infer=False add links entities without a vector; the offline extractor's add embeds its entities.
    config = {"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "a")}},
              "embedder": {"provider": "hash"}}
    with Memory(config) as memory:
        memory.add("Bob adopted a grey cat named Pixel. Then the weather turned cold.", user_id="u", infer=False)
        memory.add("Alice moved to Paris in May and she loves it.", user_id="u")
        snapshot = memory.export(user_id="u")
        kinds = {bool(e.get("has_embedding", True)) for e in snapshot["entities"]}
    assert kinds == {True, False}
    config["graph_store"]["config"]["db"] = str(tmp_path / "b")
    with Memory(config) as memory:
        memory.import_(snapshot)
        assert len(memory.get_all(user_id="u")["results"]) == 2
