"""Crash safety: a child process adds, updates and deletes; it is killed with SIGKILL at random points; the
store is reopened (Kuzu replays its log) and checked: every call that returned holds, the one in flight is
all or nothing, and no memory lacks its episode or an entity link it lists. bench/crash.py runs more kills."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory

sys.path.insert(0, str(Path(__file__).parent))
from invariants import broken

WORKERS = Path(__file__).with_name("workers.py")
KILLS = 5


def config(path: Path) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"}}


def lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.endswith("}")]


def kill_while_writing(db: Path, log: Path, seed: int, after: int, deadline: float = 120) -> None:
    """Start a writer and SIGKILL it once `after` more calls have returned."""
    start = sum(1 for e in lines(log) if e["phase"] == "done")
    child = subprocess.Popen([sys.executable, str(WORKERS), "mixed_writes", str(db), str(log), str(seed)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    give_up = time.monotonic() + deadline
    try:
        while sum(1 for e in lines(log) if e["phase"] == "done") < start + after:
            if child.poll() is not None:
                raise AssertionError(f"the writer died by itself: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.monotonic() > give_up:
                raise AssertionError("the writer made no progress")
            time.sleep(0.01)
        time.sleep(random.Random(seed).random() * 0.05)  # somewhere inside the next call
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()  # type: ignore[union-attr]


def expected(entries: list[dict[str, Any]]) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """What the returned calls left (id -> text, None: deleted), and the calls that were in flight."""
    state: dict[str, str | None] = {}
    open_calls: list[dict[str, Any]] = []
    for entry in entries:
        if entry["phase"] == "begin":
            open_calls.append(entry)
            continue
        open_calls.pop()
        state[entry["id"]] = None if entry["op"] == "delete" else entry["text"]
    return state, open_calls


async def stored(db: Path) -> tuple[dict[str, str], dict[str, list[Any]]]:
    memory = AsyncMemory(config(db))
    try:
        rows = (await memory.get_all(user_id="alice", limit=100_000))["results"]
        return {r["id"]: r["memory"] for r in rows}, await broken(memory)
    finally:
        await memory.close()


def check(db: Path, log: Path) -> None:
    state, in_flight = expected(lines(log))
    found, failures = asyncio.run(stored(db))
    assert failures == {}, failures
    flying = {e.get("id"): e for e in in_flight}
    for memory_id, text in state.items():
        call = flying.get(memory_id)
        allowed = {text} | ({None if call["op"] == "delete" else call["text"]} if call else set())
        assert found.get(memory_id) in allowed, (memory_id, found.get(memory_id), allowed)
    extra = {i: t for i, t in found.items() if i not in state}
    adds = [e["text"] for e in in_flight if e["op"] == "add"]
    assert set(extra.values()) <= set(adds), extra  # only adds in flight, each whole or not at all


def test_killed_writers_leave_every_returned_call_and_no_half_write(tmp_path: Path) -> None:
    db, log = tmp_path / "db", tmp_path / "calls.jsonl"
    rng = random.Random(21)
    for seed in range(KILLS):
        kill_while_writing(db, log, seed, after=rng.randint(2, 8))
        check(db, log)
