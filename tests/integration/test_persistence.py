"""An on-disk Memory keeps what it stored, across Memory objects in one process and across reopening."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphmem import ConfigError, Memory
from graphmem.backends import kuzu as kuzu_backend

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
    assert str(path.resolve()) not in kuzu_backend._DATABASES
