"""The offline extractor's worker process (graphmem/ingest/extract_worker.py): the same extraction as in
this process, no spaCy here, typed errors back, and a new worker after one is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graphmem.errors import ExtractionError
from graphmem.ingest import extract_worker
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.offline import OfflineExtractor
from graphmem.models import Extraction, Message

USER = ExtractionContext(self_name="user123")
MESSAGES = [
    [Message(content="John works at OpenAI. I love pizza.")],
    [Message(content="我喜歡披薩，討厭青花菜。")],
    [Message(content="Caroline: I went to Paris with Melanie."), Message(role="assistant", content="Nice!"),
     Message(content="我和小明昨天去了北京。")],
]


def extract(messages: list[Message], worker: bool) -> Extraction:
    return asyncio.run(OfflineExtractor(worker=worker).extract(messages, USER))


@pytest.mark.parametrize("messages", MESSAGES)
def test_the_worker_extracts_what_this_process_would(messages: list[Message]) -> None:
    assert extract(messages, worker=True) == extract(messages, worker=False)


def test_the_worker_finds_spacys_mentions_as_this_process_would() -> None:
    texts = [Message(content="Caroline: I went to Paris with Melanie."), Message(content="I work at Google.")]
    found = [asyncio.run(OfflineExtractor(linker="spacy", worker=w).mentions(texts, USER)) for w in (True, False)]
    assert found[0] == found[1] and found[0][1]


def test_spacy_is_loaded_in_the_worker_not_in_the_caller() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    code = ("import asyncio, sys\n"
            "from graphmem import Memory\n"
            "m = Memory({'graph_store': {'provider': 'kuzu', 'config': {'db': ':memory:'}},"
            " 'embedder': {'provider': 'hash'}})\n"
            "assert m.add('John works at OpenAI.', user_id='u')['results']\n"
            "print(sorted({'spacy', 'torch', 'jieba'} & set(sys.modules)))\n"
            "m.close()\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_error_in_the_worker_comes_back_typed() -> None:
    with pytest.raises(ExtractionError, match="KeyError"):
        extract_worker.call("no_such_method")


def idle_worker() -> extract_worker._Worker:
    extract(MESSAGES[0], worker=True)
    return extract_worker._idle[-1]  # the next call takes it


def test_a_killed_worker_is_replaced_on_the_next_call() -> None:
    worker = idle_worker()
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    assert extract(MESSAGES[0], worker=True).facts
    assert worker not in extract_worker._idle and extract_worker._idle


def test_a_worker_killed_during_a_call_raises_extraction_error_and_the_next_call_works() -> None:
    worker = idle_worker()
    long = [Message(content="Alice went to Paris with Bob and met Carol in Berlin. " * 1000)]  # seconds of parsing
    killer = threading.Timer(0.3, os.kill, (worker.process.pid, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(ExtractionError, match="worker process stopped"):
            extract(long, worker=True)
    finally:
        killer.join()
    assert extract(MESSAGES[0], worker=True).facts


def test_a_short_call_does_not_wait_behind_a_long_one() -> None:
    idle_worker()
    # ~7 s of parsing on one core: starting the second worker (a Python process loading spaCy) takes ~2.5 s, and
    # half of this (one message) let a loaded CI machine's start outlast the parse.
    long = [Message(content="Alice went to Paris with Bob and met Carol in Berlin. " * 1500) for _ in range(2)]
    parsing = threading.Thread(target=extract, args=(long, True))
    parsing.start()
    try:
        time.sleep(0.3)
        assert extract(MESSAGES[0], worker=True).facts  # a second worker
        assert parsing.is_alive()
    finally:
        parsing.join()
    assert len(extract_worker._idle) == extract_worker.MAX_WORKERS


def test_where_no_worker_starts_this_process_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_worker, "_idle", [])
    monkeypatch.setattr(extract_worker, "_running", 0)
    monkeypatch.setattr(extract_worker, "_no_worker", False)
    monkeypatch.setattr(sys, "executable", "/bin/true")  # not a Python: it exits without a word
    assert extract(MESSAGES[0], worker=True) == extract(MESSAGES[0], worker=False)
    assert extract_worker._no_worker and not extract_worker._idle and extract_worker._running == 0


def test_an_extraction_of_more_facts_than_a_reply_part_comes_back_whole() -> None:
    many = [Message(content=" ".join(f"Friend {i} lives in a town called Place{i}." for i in range(300)))]
    sent = extract(many, worker=True)
    assert len(sent.facts) > extract_worker.PART_SIZE
    assert sent == extract(many, worker=False)


def test_a_binary_that_never_answers_is_given_up_and_this_process_parses(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    silent.chmod(0o755)
    monkeypatch.setattr(extract_worker, "_idle", [])
    monkeypatch.setattr(extract_worker, "_running", 0)
    monkeypatch.setattr(extract_worker, "_no_worker", False)
    monkeypatch.setattr(extract_worker, "HELLO_SECONDS", 0.5)
    monkeypatch.setattr(extract_worker, "_STOP_SECONDS", 0.5)
    monkeypatch.setattr(sys, "executable", str(silent))  # waits without a word, as a server binary may
    assert extract(MESSAGES[0], worker=True) == extract(MESSAGES[0], worker=False)
    assert extract_worker._no_worker


def test_a_forked_child_lets_go_of_the_parents_workers() -> None:
    """The child's copies of a worker's pipes are let go at the fork: the worker still sees its input close
    when the parent stops it (it had waited for the child, then was killed), and the child never waits for it."""
    worker = idle_worker()
    child = os.fork()
    if child == 0:  # the child: the parent's workers are not its own
        code = 0 if not extract_worker._idle and extract_worker._running == 0 else 1
        time.sleep(3)
        os._exit(code)
    try:
        worker.stop()  # while the child lives
        assert worker.process.returncode == 0  # it exited on its closed input, not killed
    finally:
        _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
