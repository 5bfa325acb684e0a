"""Reads do not queue behind writes: a search or get_all of one scope runs on the database's reading
connection while another scope's write transaction is still open (a big add), and sees the last commit."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory
from graphmem.backends.kuzu import KuzuBackend
from graphmem.ingest import long_docs
from graphmem.ingest.offline import _language

MEMORY = "Bob likes green tea"
Hold = Callable[[KuzuBackend, Callable[[], object]], "asyncio.Future[object]"]


def reads_while_held(tmp_path: Path, hold: Hold) -> tuple[dict[str, Any], dict[str, Any]]:
    """get_all and search of the scope "other" while `hold(backend, blocker)` keeps `blocker` running on
    one of the store's threads; both must answer before the blocker is released."""
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                              "embedder": {"provider": "hash"}})
        try:
            await memory.add(MEMORY, user_id="other", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            release, began = threading.Event(), threading.Event()
            held = hold(backend, lambda: (began.set(), release.wait(30)))
            await asyncio.to_thread(began.wait, 30)
            try:
                listed = await asyncio.wait_for(memory.get_all(user_id="other"), 30)
                found = await asyncio.wait_for(memory.search("tea", user_id="other"), 30)
                assert not held.done()
            finally:
                release.set()
                await held
            return listed, found
        finally:
            await memory.close()

    return asyncio.run(scenario())


def test_get_all_and_search_answer_while_a_write_transaction_is_open(tmp_path: Path) -> None:
    def open_transaction(backend: KuzuBackend, blocker: Callable[[], object]) -> asyncio.Future[object]:
        shared = backend._db  # a transaction that stays open until the reads are done
        return asyncio.get_running_loop().run_in_executor(
            shared.executor, lambda: shared.transaction(blocker, lambda: None))

    listed, found = reads_while_held(tmp_path, open_transaction)
    assert [m["memory"] for m in listed["results"]] == [MEMORY]
    assert found["results"][0]["memory"] == MEMORY


def test_a_long_message_is_parsed_in_pieces_into_one_doc_of_its_text() -> None:
    text = "Alice moved to Paris in May. She works at Google with Bob.\n" * 200
    [doc, short] = long_docs.parse(_language(), [text, "Carol lives in Rome."], 64, [])
    assert len(text) > long_docs.LONG and doc.text == text and short.text == "Carol lives in Rome."
    assert len(list(doc.sents)) >= 400
    assert {"Alice", "Paris", "Bob"} <= {ent.text for ent in doc.ents}


def test_a_read_does_not_wait_for_another_scopes_long_read(tmp_path: Path) -> None:
    def long_read(backend: KuzuBackend, blocker: Callable[[], object]) -> asyncio.Future[object]:
        return asyncio.ensure_future(backend._run_read(blocker))

    listed, found = reads_while_held(tmp_path, long_read)
    assert [m["memory"] for m in listed["results"]] == [MEMORY]
    assert found["results"][0]["memory"] == MEMORY


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


async def kuzu_with_one_memory(tmp_path: Path) -> tuple[AsyncMemory, KuzuBackend, str]:
    """An embedded store holding MEMORY in the scope "other" (loaded by the add), its backend and the memory's id."""
    memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                          "embedder": {"provider": "hash"}})
    added = await memory.add(MEMORY, user_id="other", infer=False)
    backend = await memory._ready()
    assert isinstance(backend, KuzuBackend)
    return memory, backend, added["results"][0]["id"]


def counting_hops(backend: KuzuBackend) -> list[str]:
    """A list that gets "hop" each time the backend sends work to a read thread from now on, "lookup" to a lookup
    thread (a lookup in loaded scopes that does not run on the event loop: it never queues behind a read)."""
    hops: list[str] = []
    run_read, run_lookup = backend._run_read, backend._run_lookup

    async def read(fn: Callable[[], Any]) -> Any:
        hops.append("hop")
        return await run_read(fn)

    async def lookup(fn: Callable[[], Any]) -> Any:
        hops.append("lookup")
        return await run_lookup(fn)

    backend._run_read = read  # type: ignore[method-assign]
    backend._run_lookup = lookup  # type: ignore[method-assign]
    return hops


def test_small_loaded_scopes_answer_on_the_event_loop_and_others_on_a_read_thread(tmp_path: Path) -> None:
    """A lookup in a loaded small scope skips the hop to a read thread; one that must load the scope takes it, and
    one that finds the loaded scopes' lock held (a commit being tracked) waits for it on a lookup thread."""
    from graphmem.scope import Scope

    async def scenario() -> list[str]:
        memory, backend, added_id = await kuzu_with_one_memory(tmp_path)
        try:
            hops = counting_hops(backend)
            scope, ids = Scope.of("other"), [added_id]
            with backend._scopes.lock:
                backend._scopes.forget()  # the add loaded it
            assert await backend.memory_briefs(ids, scope)  # not loaded: a read thread loads it
            assert await backend.memory_briefs(ids, scope)  # loaded: on the loop
            held, release = threading.Event(), threading.Event()

            def hold() -> None:
                with backend._scopes.lock:
                    held.set()
                    release.wait(30)

            holder = threading.Thread(target=hold)
            holder.start()
            held.wait(30)
            lookup = asyncio.ensure_future(backend.memory_briefs(ids, scope))
            await asyncio.sleep(0.05)
            release.set()
            assert await lookup
            holder.join()
            return hops
        finally:
            await memory.close()

    # The first looks up a scope not loaded: on a lookup thread, which hands it to a read thread to load it.
    assert asyncio.run(scenario()) == ["lookup", "hop", "lookup"]


def test_lookups_by_id_stay_on_the_event_loop_in_a_big_scope(tmp_path: Path, monkeypatch: Any) -> None:
    """Past INLINE_ROWS a loaded scope's vector search takes a lookup thread (an index query costs milliseconds);
    its lookups by id, episode, entity or time do not: they cost the same in a scope of any size."""
    import graphmem.backends.kuzu as kuzu_module
    from graphmem.scope import Scope

    async def scenario() -> list[str]:
        memory, backend, added_id = await kuzu_with_one_memory(tmp_path)
        try:
            scope, ids = Scope.of("other"), [added_id]
            assert await backend.memory_briefs(ids, scope)  # loaded (the add loaded it)
            monkeypatch.setattr(kuzu_module, "INLINE_ROWS", 0)  # every loaded scope is now a big one
            hops = counting_hops(backend)
            briefs = await backend.memory_briefs(ids, scope)
            await backend.memories_of_episodes(briefs[0]["episode_ids"], scope)
            await backend.memories_mentioning(briefs[0]["entity_ids"], 50, scope)
            await backend.memories_between(None, None, 5, scope)
            assert hops == []
            assert await backend.vector_search("memory", await memory.embedder.embed_query("green tea"), 5, scope)
            return hops
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["lookup"]



def test_a_scope_whose_approximate_index_holds_it_searches_on_the_event_loop(tmp_path: Path, monkeypatch: Any) -> None:
    """Past INLINE_ROWS rows a scope's vector search runs on the event loop when its approximate index holds every
    row: the index's walk costs what a small scope's exact scan does, and the hop to a thread and back ~0.5 ms."""
    import graphmem.backends.kuzu as kuzu_module
    import graphmem.inprocess.scopes as scopes_module
    import graphmem.inprocess.vectors as vectors_module
    from graphmem.scope import Scope

    monkeypatch.setattr(vectors_module, "ANN_MIN_ROWS", 2)  # scopes of two memories on get an index
    monkeypatch.setattr(scopes_module, "ANN_MIN_ROWS", 2)

    async def scenario() -> list[str]:
        memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "db")}},
                              "embedder": {"provider": "hash"}})
        try:
            for text in ("Bob likes green tea", "Ann runs on Sundays", "Cal paints boats", "Dee grows tomatoes"):
                await memory.add(text, user_id="big", infer=False)
            backend = await memory._ready()
            assert isinstance(backend, KuzuBackend)
            scope = Scope.of("big")
            vector = await memory.embedder.embed_query("green tea")
            assert await backend.vector_search("memory", vector, 2, scope, 1.0)  # loaded
            assert backend._memories(scope)._vectors.wait_for_index(timeout=60)
            monkeypatch.setattr(kuzu_module, "INLINE_ROWS", 2)  # four memories: a big scope by its rows
            hops = counting_hops(backend)
            assert len(await backend.vector_search("memory", vector, 2, scope, 1.0)) == 2
            monkeypatch.setattr(kuzu_module, "INLINE_ROWS", 0)  # a row the index lacks would now be one too many
            backend._memories(scope)._vectors._ann = None  # as before its index
            await backend.vector_search("memory", vector, 2, scope, 1.0)
            return hops
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["lookup"]


def test_a_big_scope_lookup_does_not_queue_behind_reads(tmp_path: Path, monkeypatch: Any) -> None:
    """Both read threads busy (two big scopes loading, reads waiting for a checkpoint): a loaded big scope's
    vector search, which does not run on the event loop, still answers (on a lookup thread)."""
    import graphmem.backends.kuzu as kuzu_module
    from graphmem.scope import Scope

    async def scenario() -> list[str]:
        memory, backend, _ = await kuzu_with_one_memory(tmp_path)
        try:
            monkeypatch.setattr(kuzu_module, "INLINE_ROWS", 0)  # every loaded scope is now a big one
            release = threading.Event()
            busy = [asyncio.ensure_future(backend._run_read(lambda: release.wait(30))) for _ in range(2)]
            try:
                vector = await memory.embedder.embed_query("green tea")
                found = await asyncio.wait_for(backend.vector_search("memory", vector, 5, Scope.of("other")), 30)
                assert not any(task.done() for task in busy)
            finally:
                release.set()
            await asyncio.gather(*busy)
            return [r["id"] for r in found]
        finally:
            await memory.close()

    assert len(asyncio.run(scenario())) == 1


def test_a_keyword_lookup_hops_by_its_rows_times_its_length(tmp_path: Path, monkeypatch: Any) -> None:
    """A keyword walk costs about the scope's rows times the query's length: on the event loop while that is at
    most INLINE_KEYWORD_WORK, else on a lookup thread; text that is not ASCII (jieba may load) or longer than
    INLINE_KEYWORD_CHARS always takes a read thread."""
    import graphmem.backends.kuzu as kuzu_module
    from graphmem.scope import Scope

    async def scenario() -> list[str]:
        memory, backend, _ = await kuzu_with_one_memory(tmp_path)
        try:
            scope = Scope.of("other")
            monkeypatch.setattr(kuzu_module, "INLINE_KEYWORD_WORK", len("green tea"))  # one row x this query
            hops = counting_hops(backend)
            assert await backend.keyword_search("green tea", 5, scope)
            assert hops == []
            assert await backend.keyword_search("green tea please", 5, scope)  # longer than the work allows
            assert await backend.keyword_search("绿茶", 5, scope) == []
            monkeypatch.setattr(kuzu_module, "INLINE_KEYWORD_WORK", 10**9)
            assert await backend.keyword_search("tea " * 300, 5, scope)  # analysing it alone costs: it hops
            return hops
        finally:
            await memory.close()

    assert asyncio.run(scenario()) == ["lookup", "hop", "hop"]

def test_whole_rows_of_loaded_scopes_are_read_on_the_event_loop(tmp_path: Path) -> None:
    """`memory_rows` (a search's results) answers from the loaded scopes without a hop; an id held by none of
    them (a scope not loaded) takes a read thread to the store, and the rows are the same either way."""
    async def scenario() -> tuple[list[str], list[Any], list[Any]]:
        memory, backend, added_id = await kuzu_with_one_memory(tmp_path)
        try:
            hops = counting_hops(backend)
            loaded = await backend.memory_rows([added_id, added_id])  # the add loaded its scope
            assert hops == []
            with backend._scopes.lock:
                backend._scopes.forget()
            from_store = await backend.memory_rows([added_id, added_id])
            return hops, loaded, from_store
        finally:
            await memory.close()

    hops, loaded, from_store = asyncio.run(scenario())
    assert hops == ["hop"]
    assert [r["id"] for r in loaded] == [r["id"] for r in from_store] == [loaded[0]["id"]] * 2
    assert loaded[0]["text"] == from_store[0]["text"]
