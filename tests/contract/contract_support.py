"""Helpers of the contract suite: a bare backend driven from sync tests, and the shared constants."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

from graphmem.backends.base import GraphBackend, Row, Statement, VectorTable
from graphmem.config import MemoryConfig
from graphmem.factory import create_backend
from graphmem.scope import Scope
from graphmem.sync import _LoopThread

T = TypeVar("T")
DIMS = 256  # the hash embedder's size: Memory and bare-backend tests share the server databases


def memory_config(store: dict[str, Any]) -> dict[str, Any]:
    """A Memory config on this graph_store: hash embedder, offline extractor."""
    return {"graph_store": store, "embedder": {"provider": "hash"}}


class Backend:
    """A GraphBackend driven from sync tests, on a private event loop (as `Memory` does)."""

    def __init__(self, store: dict[str, Any], dims: int = DIMS) -> None:
        self.store = store
        self.dims = dims
        self.raw: GraphBackend = create_backend(MemoryConfig.parse({"graph_store": store}).graph_store)
        self._loop: _LoopThread | None = _LoopThread()
        try:
            self.run(self.raw.open(dims))
        except BaseException:
            self.close()
            raise

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return self._loop.run(coro, timeout=120)

    def read(self, name: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self.run(self.raw.read(name, params or {}))

    def write(self, *statements: Statement) -> None:
        self.run(self.raw.write(statements))

    def vector_search(self, table: VectorTable, vector: list[float], k: int, scope: Scope) -> list[Row]:
        return self.run(self.raw.vector_search(table, vector, k, scope))

    def reset(self) -> None:
        self.run(self.raw.reset())

    def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.run(self.raw.close(), timeout=60)
            loop.stop()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
