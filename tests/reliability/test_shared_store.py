"""One store, one writer: Memory objects of a process on one path share one database and one write path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from graphmem import Memory
from graphmem.backends import kuzu_store

WORKERS = Path(__file__).with_name("workers.py")


def run_child(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """A child process (a segfault there fails the test instead of ending pytest)."""
    return subprocess.run([sys.executable, str(WORKERS), *args], capture_output=True, text=True, timeout=timeout)


def test_two_memories_on_one_path_writing_from_many_threads_lose_nothing(tmp_path: Path) -> None:
    done = run_child("two_writers", str(tmp_path / "db"), "8", "10")
    assert done.returncode == 0, f"child died ({done.returncode}): {done.stderr[-2000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert len(report["added"]) == 2 * 8 * 10
    assert sorted(report["stored"]) == sorted(report["added"])


def test_objects_on_one_path_share_one_database(tmp_path: Path) -> None:
    path = tmp_path / "db"
    config = {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"}}
    with Memory(config) as first, Memory(config) as second:
        first.add("I collect stamps", user_id="alice", infer=False)
        assert [r["memory"] for r in second.get_all(user_id="alice")["results"]] == ["I collect stamps"]
        assert kuzu_store.open_count(str(path)) == 2
        assert first._async.backend.locks is second._async.backend.locks
    assert kuzu_store.open_count(str(path)) == 0


def test_a_failed_begin_leaves_a_connection_that_works(tmp_path: Path) -> None:
    done = run_child("failed_begin", str(tmp_path / "db"))
    assert done.returncode == 0, f"child died ({done.returncode}): {done.stderr[-2000:]}"
    assert "refused:" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["after", "before"]
