"""A scope loaded without the loaded scopes' lock (a 100k scope's load takes seconds, and every other scope's
lookups need that lock): its marker, and which commits overtake it.

The load reads the store while commits may land. A commit that changes what the scope holds (rows it owns added,
any row of its table removed or retouched, the entities' counts or names, everything after a failed commit) marks
the load overtaken: it may have read part of that commit, so it is not kept, and the lookup loads the scope under
the lock as every load did before. Commits to other scopes' rows leave it alone (KuzuBackend._load_unlocked).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from typing import Any

from graphmem.inprocess.vectors import owns
from graphmem.scope import Scope

ScopeUpdate = tuple[str, tuple[Any, ...]]  # a ScopeCache method and its arguments (backends/kuzu_writes.py)


class Loading:
    """One load of a scope under way: `lock`, held by the one thread loading it; `overtaken`, set under the
    cache's lock by a commit that touches the scope; waiters on an event loop, woken when it ends (kept or not),
    so that they wait off the store's read threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.overtaken = False
        self._ended = False
        self._guard = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def ended(self) -> bool:
        return self._ended

    async def wait(self) -> None:
        """Until the load ends."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._guard:
            if self._ended:
                return
            self._waiters.append((loop, future))
        await future

    def end(self) -> None:
        with self._guard:
            self._ended = True
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop closed: nobody waits there any more
                loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # a waiter cancelled meanwhile
        future.set_result(None)


def touches(table: str, scope: Scope, updates: Sequence[ScopeUpdate] | None) -> bool:
    """Whether a commit's updates (None: not known, a failed commit) may change what the scope's load reads."""
    if updates is None:
        return True
    return any(_touches(table, scope, method, args) for method, args in updates)


def _touches(table: str, scope: Scope, method: str, args: tuple[Any, ...]) -> bool:
    if method == "add":
        added_to, rows = args
        return bool(added_to == table and any(owns(scope, row.owner) for row in rows))
    if method in ("mentioned", "rename"):  # entity ids only: which scope they are in is not known here
        return table == "entity"
    if method == "retouch":
        return table == "memory"
    if method == "remove" or method == "forget":
        return not args or args[0] == table
    return True  # discard (reset, delete_all), or anything else
