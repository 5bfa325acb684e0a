"""Reads do not queue behind writes: a search or get_all of one scope runs on the database's reading
connection while another scope's write transaction is still open (a big add), and sees the last commit."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from pathlib import Path

from graphmem import AsyncMemory
from graphmem.backends.kuzu import KuzuBackend
from graphmem.ingest import long_docs
from graphmem.ingest.offline import _language


def test_get_all_and_search_answer_while_a_write_transaction_is_open(tmp_path: Path) -> None:
    async def scenario() -> None:
        memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                              "embedder": {"provider": "hash"}})
        try:
            await memory.add("Bob likes green tea", user_id="other", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            shared, release, began = backend._db, threading.Event(), threading.Event()

            def slow_write() -> None:  # a transaction that stays open until the reads below are done
                shared.transaction(lambda: (began.set(), release.wait(30)), lambda: None)

            writing = asyncio.get_running_loop().run_in_executor(shared.executor, slow_write)
            await asyncio.to_thread(began.wait, 30)
            try:
                listed = await asyncio.wait_for(memory.get_all(user_id="other"), 30)
                found = await asyncio.wait_for(memory.search("tea", user_id="other"), 30)
                assert not writing.done()
            finally:
                release.set()
                await writing
            assert [m["memory"] for m in listed["results"]] == ["Bob likes green tea"]
            assert found["results"][0]["memory"] == "Bob likes green tea"
        finally:
            await memory.close()

    asyncio.run(scenario())


def test_a_long_message_is_parsed_in_pieces_into_one_doc_of_its_text() -> None:
    text = "Alice moved to Paris in May. She works at Google with Bob.\n" * 200
    [doc, short] = long_docs.parse(_language(), [text, "Carol lives in Rome."], 64, [])
    assert len(text) > long_docs.LONG and doc.text == text and short.text == "Carol lives in Rome."
    assert len(list(doc.sents)) >= 400
    assert {"Alice", "Paris", "Bob"} <= {ent.text for ent in doc.ents}


def test_a_read_does_not_wait_for_another_scopes_long_read(tmp_path: Path) -> None:
    async def scenario() -> None:
        memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                              "embedder": {"provider": "hash"}})
        try:
            await memory.add("Bob likes green tea", user_id="other", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            release, began = threading.Event(), threading.Event()
            long_read = asyncio.ensure_future(backend._run_read(lambda: (began.set(), release.wait(30))))
            await asyncio.to_thread(began.wait, 30)
            try:
                listed = await asyncio.wait_for(memory.get_all(user_id="other"), 30)
                assert not long_read.done()
            finally:
                release.set()
                await long_read
            assert [m["memory"] for m in listed["results"]] == ["Bob likes green tea"]
        finally:
            await memory.close()

    asyncio.run(scenario())


def test_an_unclosed_in_memory_store_frees_its_threads() -> None:
    def store_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("graphmem-kuzu")]

    async def forgotten() -> None:  # never closed
        memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}},
                              "embedder": {"provider": "hash"}})
        await memory.add("Alice likes tea.", user_id="u", infer=False)
        await memory.search("tea", user_id="u")

    before = len(store_threads())
    for _ in range(3):
        asyncio.run(forgotten())
        gc.collect()
    for _ in range(50):  # the threads end once their pool is collected
        if len(store_threads()) <= before:
            break
        time.sleep(0.1)
    assert len(store_threads()) <= before, store_threads()
