"""The `graphmem` command on a real Kuzu store: add with a timestamp, search, get-all, cypher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphmem.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_add_search_and_explore_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"embedder": {"provider": "hash"},
                                  "graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}}}))
    common = ("--config", str(config))
    run(capsys, *common, "add", "I went hiking in the Alps", "--user", "tim", "--no-infer",
        "--timestamp", "2023-05-08T14:00:00Z")
    run(capsys, *common, "add", "I went hiking in the Pyrenees", "--user", "tim", "--no-infer")
    found = run(capsys, *common, "search", "hiking in May 2023", "--user", "tim")
    assert isinstance(found, dict) and found["results"][0]["memory"] == "I went hiking in the Alps"
    listed = run(capsys, *common, "get-all", "--user", "tim")
    assert isinstance(listed, dict) and len(listed["results"]) == 2
    rows = run(capsys, *common, "cypher", "MATCH (m:Memory) WHERE m.valid_at < $t RETURN m.text AS text",
               "--params", json.dumps({"t": "2024"}))
    assert rows == [{"text": "I went hiking in the Alps"}]
