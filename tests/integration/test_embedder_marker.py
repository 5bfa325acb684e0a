"""A store records which embedder made its vectors, and warns when another one opens it (real Kuzu)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory
from graphmem.errors import EmbedderChangedWarning


def local(path: Path, int8: bool) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}},
            "embedder": {"provider": "local", "config": {"model": "all-MiniLM-L6-v2", "int8": int8}}}


def recorded(memory: Memory) -> str:
    [row] = memory._run(memory._async.backend.read("admin/get_meta", {"key": "embedder"}))
    return str(row["value"])


def test_the_store_keeps_the_first_embedder_and_warns_when_another_opens_it(tmp_path: Path) -> None:
    if "int8" not in Memory(local(tmp_path / "probe", int8=True))._async.embedder.identity:
        pytest.skip("the int8 model is not near enough encode() on this machine, so the exact one runs")
    with Memory(local(tmp_path / "db", int8=False)) as first:
        first.get_all(user_id="alice")  # a call that embeds nothing records nothing
        assert first._run(first._async.backend.read("admin/get_meta", {"key": "embedder"})) == []
        first.add("I collect stamps", user_id="alice", infer=False)
        assert recorded(first) == "local all-MiniLM-L6-v2"
    with Memory(local(tmp_path / "db", int8=False)) as same:  # no warning (pytest runs with warnings as errors)
        assert same.search("stamps", user_id="alice")["results"]
    with Memory(local(tmp_path / "db", int8=True)) as other:
        with pytest.warns(EmbedderChangedWarning, match="'local all-MiniLM-L6-v2'.*'local all-MiniLM-L6-v2 int8'"):
            assert other.search("stamps", user_id="alice")["results"]  # it still searches
        assert recorded(other) == "local all-MiniLM-L6-v2"  # the vectors in the store are still the first's
        other.reset()
        other.add("I collect coins", user_id="alice", infer=False)
        assert recorded(other) == "local all-MiniLM-L6-v2 int8"  # empty again: its vectors are this one's
