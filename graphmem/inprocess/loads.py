"""A scope loaded without the loaded scopes' lock (a 100k scope's load takes seconds, and every other scope's
lookups need that lock): its marker, and which commits overtake it.

The load reads the store while commits may land. A commit that changes what the scope holds may have been half read
by it: rows the scope owns added, or rows of its table that the load read removed, retouched, renamed or mentioned
again (a row it did not read is outside the scope, or was added later: an add), or anything after a failed or
unknown commit, or a reset / delete_all. Then the load is not kept, and the lookup loads the scope under the lock,
as every load did before. Commits to other scopes' rows leave it alone (KuzuBackend._load_unlocked).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Container, Sequence
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
        self.changed: set[str] = set()  # ids of rows of its table that commits changed meanwhile
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


def overtake(loading: Loading, table: str, scope: Scope, updates: Sequence[ScopeUpdate]) -> None:
    """Mark the load with what a commit's updates change of its table: `overtaken` when they add rows the scope
    owns, forget or discard scopes, or are of a kind not known here; else the ids of the rows they change (which
    count only if the load read them: `kept`)."""
    for method, args in updates:
        if method == "add":
            added_to, rows = args
            loading.overtaken |= added_to == table and any(owns(scope, row.owner) for row in rows)
        elif method in ("mentioned", "rename"):  # `{id, ...}` rows of entities
            if table == "entity":
                loading.changed.update(row["id"] for row in args[0])
        elif method == "retouch":  # `{id, ...}` rows of memories
            if table == "memory":
                loading.changed.update(row["id"] for row in args[0])
        elif method == "remove":
            if args[0] == table:
                loading.changed.update(args[1])
        elif method == "forget":
            loading.overtaken |= not args or args[0] == table
        else:  # discard (reset, delete_all), or anything else
            loading.overtaken = True


def kept(loading: Loading, read: Container[str]) -> bool:
    """Whether a load that read the rows `read` (the loaded scope) may be kept: no commit meanwhile changed what
    it holds."""
    return not loading.overtaken and not any(row_id in read for row_id in loading.changed)
