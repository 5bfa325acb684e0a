"""Memory: the sync facade. Every call runs the AsyncMemory coroutine on a private event-loop thread.

A private loop (not `asyncio.run`) keeps the backend's connection on one loop
for the object's life and works inside Jupyter, whose own loop is already
running in the caller's thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from graphmem.config import MemoryConfig
from graphmem.mem0_forms import UNSET, Unset
from graphmem.memory import AsyncMemory
from graphmem.scope import Scope

T = TypeVar("T")


class _LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="graphmem-loop", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive() and self.loop.is_running()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class Memory:
    """mem0's `Memory`, graph-first. Same methods and arguments as `AsyncMemory`, blocking."""

    def __init__(self, config: MemoryConfig | dict[str, Any] | None = None) -> None:
        self._async = AsyncMemory(config)
        self._loop: _LoopThread | None = _LoopThread()
        if self._async.config.graph_store.server:
            # A graph server is connected to now, as mem0 does: a wrong URL fails here, naming it,
            # rather than at the first call. (The embedded store opens on first use.)
            try:
                self.connect()
            except BaseException:
                self.close()
                raise

    @property
    def config(self) -> MemoryConfig:
        return self._async.config

    @classmethod
    def from_config(cls, config_dict: dict[str, Any]) -> Memory:
        return cls(config_dict)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            coro.close()
            raise RuntimeError("this Memory is closed")
        return self._loop.run(coro)

    def add(self, messages: Any, *, user_id: str | None = None, agent_id: str | None = None,
            run_id: str | None = None, metadata: dict[str, Any] | None = None, infer: bool = True,
            memory_type: str | None = None, prompt: str | None = None,
            timestamp: int | float | str | datetime | None = None, expiration_date: date | str | None = None,
            **mem0_options: Any) -> dict[str, Any]:
        return self._run(self._async.add(messages, user_id=user_id, agent_id=agent_id, run_id=run_id,
                                         metadata=metadata, infer=infer, memory_type=memory_type, prompt=prompt,
                                         timestamp=timestamp, expiration_date=expiration_date, **mem0_options))

    def search(self, query: str, *, user_id: str | None = None, agent_id: str | None = None,
               run_id: str | None = None, limit: int = 100, filters: dict[str, Any] | None = None,
               threshold: float | None = None, top_k: int | None = None,
               explain: bool = False, as_of: datetime | None = None, rerank: bool = True,
               show_expired: bool = False, **mem0_options: Any) -> dict[str, Any]:
        return self._run(self._async.search(query, user_id=user_id, agent_id=agent_id, run_id=run_id, limit=limit,
                                            filters=filters, threshold=threshold, top_k=top_k, explain=explain,
                                            as_of=as_of, rerank=rerank, show_expired=show_expired, **mem0_options))

    def get(self, memory_id: str) -> dict[str, Any] | None:
        return self._run(self._async.get(memory_id))

    def get_all(self, *, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
                filters: dict[str, Any] | None = None, limit: int = 100, top_k: int | None = None,
                show_expired: bool = False, **mem0_options: Any) -> dict[str, Any]:
        return self._run(self._async.get_all(user_id=user_id, agent_id=agent_id, run_id=run_id, filters=filters,
                                             limit=limit, top_k=top_k, show_expired=show_expired, **mem0_options))

    def history(self, memory_id: str) -> list[dict[str, Any]]:
        return self._run(self._async.history(memory_id))

    def update(self, memory_id: str, data: str | None = None, metadata: dict[str, Any] | None = None, *,
               text: str | None = None, expiration_date: date | str | Unset | None = UNSET) -> dict[str, str]:
        return self._run(self._async.update(memory_id, data, metadata, text=text, expiration_date=expiration_date))

    def delete(self, memory_id: str) -> dict[str, str]:
        return self._run(self._async.delete(memory_id))

    def delete_all(self, *, user_id: str | None = None, agent_id: str | None = None,
                   run_id: str | None = None) -> dict[str, str]:
        return self._run(self._async.delete_all(user_id=user_id, agent_id=agent_id, run_id=run_id))

    # -- the graph around entities (AsyncMemory's, see graphmem/explore.py) ----------------------

    def entity_neighbourhood(self, entity: str, *, hops: int = 1, as_of: datetime | str | None = None,
                             limit: int = 50, user_id: str | None = None, agent_id: str | None = None,
                             run_id: str | None = None) -> dict[str, Any]:
        return self._run(self._async.entity_neighbourhood(entity, hops=hops, as_of=as_of, limit=limit,
                                                          user_id=user_id, agent_id=agent_id, run_id=run_id))

    def paths_between(self, source: str, target: str, *, max_hops: int = 3, as_of: datetime | str | None = None,
                      user_id: str | None = None, agent_id: str | None = None,
                      run_id: str | None = None) -> dict[str, Any]:
        return self._run(self._async.paths_between(source, target, max_hops=max_hops, as_of=as_of, user_id=user_id,
                                                   agent_id=agent_id, run_id=run_id))

    def entity_timeline(self, entity: str, *, limit: int = 100, user_id: str | None = None,
                        agent_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        return self._run(self._async.entity_timeline(entity, limit=limit, user_id=user_id, agent_id=agent_id,
                                                     run_id=run_id))

    def what_was_true(self, as_of: datetime | str, *, entity: str | None = None, limit: int = 50,
                      user_id: str | None = None, agent_id: str | None = None,
                      run_id: str | None = None) -> dict[str, Any]:
        return self._run(self._async.what_was_true(as_of, entity=entity, limit=limit, user_id=user_id,
                                                   agent_id=agent_id, run_id=run_id))

    def entities(self, *, limit: int = 100, user_id: str | None = None, agent_id: str | None = None,
                 run_id: str | None = None) -> list[dict[str, Any]]:
        return self._run(self._async.entities(limit=limit, user_id=user_id, agent_id=agent_id, run_id=run_id))

    def graph_summary(self, *, user_id: str | None = None, agent_id: str | None = None,
                      run_id: str | None = None) -> dict[str, Any]:
        return self._run(self._async.graph_summary(user_id=user_id, agent_id=agent_id, run_id=run_id))

    def scopes(self) -> list[Scope]:
        return self._run(self._async.scopes())

    def scope_sizes(self) -> list[tuple[Scope, int]]:
        return self._run(self._async.scope_sizes())

    # -- the whole graph: networkx view, export, import (AsyncMemory's, see graphmem/graph.py) -------

    def graph(self, *, user_id: str | None = None, agent_id: str | None = None, run_id: str | None = None,
              as_of: datetime | str | None = None, include: Sequence[str] = ("entities", "memories", "episodes"),
              embeddings: bool = False) -> Any:
        """The scope's graph as a networkx.MultiDiGraph (see AsyncMemory.graph)."""
        return self._run(self._async.graph(user_id=user_id, agent_id=agent_id, run_id=run_id, as_of=as_of,
                                           include=include, embeddings=embeddings))

    def export(self, path: str | Path | None = None, *, format: str = "json", user_id: str | None = None,
               agent_id: str | None = None, run_id: str | None = None, embeddings: bool = False) -> dict[str, Any]:
        return self._run(self._async.export(path, format=format, user_id=user_id, agent_id=agent_id, run_id=run_id,
                                            embeddings=embeddings))

    def import_(self, source: str | Path | dict[str, Any], *, format: str | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
        return self._run(self._async.import_(source, format=format, progress=progress))

    def sources(self, memory_id: str) -> list[dict[str, Any]]:
        return self._run(self._async.sources(memory_id))

    @property
    def async_memory(self) -> AsyncMemory:
        """The async core this facade forwards to."""
        return self._async

    def reset(self) -> None:
        return self._run(self._async.reset())

    def connect(self) -> None:
        return self._run(self._async.connect())

    def close(self) -> None:
        """Release the database and the loop thread (also on garbage collection and `with`)."""
        loop, self._loop = self._loop, None
        if loop is None:
            return
        if loop.alive():  # at interpreter exit the daemon loop thread may already be gone
            # Waited for to the end, as AsyncMemory.close is: its waits are bounded inside (an index builder's
            # chunk and a save under way, CLOSE_WAIT each; Kuzu's checkpoint). A facade that gave up first raised
            # TimeoutError from a close that was only slow (a 100k-memory store after its fill, ~30+ s on a busy
            # machine) and left it to a daemon thread that the interpreter's exit kills, saves half-done.
            try:
                loop.run(self._async.close())
            finally:
                loop.stop()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: the loop may already be gone
            self.close()


def submit(memory: Memory, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule a coroutine of `memory`'s async core on its loop, for surfaces that serve async callers over a
    sync Memory (graphmem.tools, the LangGraph store, the LangChain retriever): await it with
    `asyncio.wrap_future`, or block on `.result()`."""
    if memory._loop is None:
        coro.close()
        raise RuntimeError("this Memory is closed")
    return asyncio.run_coroutine_threadsafe(coro, memory._loop.loop)
