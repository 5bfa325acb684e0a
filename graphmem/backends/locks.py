"""Write locks that work across event loops: who may read-modify-write a store now.

Every sync `Memory` runs its own event loop, so two `Memory` objects on one embedded store cannot share an
`asyncio.Lock` (it is bound to one loop). These locks are held per exact scope key (an add, an update, a
delete) or for the whole store (`delete_all`, which spans sub-scopes, and `reset`); waiters sleep on a
future of their own loop and are woken from whichever thread releases.

A read-modify-write holds its lock from the reads it decides on to the write that commits them, so an
update cannot bring back a memory a delete just removed, and an add cannot interleave with a delete_all.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

_WHOLE = None  # the key that stands for the whole store


class WriteLocks:
    """Exclusive per scope key, or exclusive for the whole store; a waiting whole-store writer goes first."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held: set[str] = set()
        self._whole = False
        self._whole_waiting = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @contextlib.asynccontextmanager
    async def scope(self, key: str) -> AsyncIterator[None]:
        """Hold the exact scope `key` (others' scopes go on)."""
        await self._acquire(key)
        try:
            yield
        finally:
            self._release(key)

    @contextlib.asynccontextmanager
    async def whole(self) -> AsyncIterator[None]:
        """Hold the whole store: no scope is written meanwhile."""
        await self._acquire(_WHOLE)
        try:
            yield
        finally:
            self._release(_WHOLE)

    def _free(self, key: str | None) -> bool:
        if self._whole:
            return False
        if key is _WHOLE:
            return not self._held
        # Scope writers wait while a whole-store writer waits: a busy store must not starve delete_all.
        return self._whole_waiting == 0 and key not in self._held

    def _take(self, key: str | None) -> None:
        if key is _WHOLE:
            self._whole = True
        else:
            self._held.add(key)

    async def _acquire(self, key: str | None) -> None:
        loop = asyncio.get_running_loop()
        counted = taken = False
        try:
            while True:
                with self._mutex:
                    if self._free(key):
                        self._take(key)
                        taken = True
                        return
                    if key is _WHOLE and not counted:
                        self._whole_waiting += 1
                        counted = True
                    future: asyncio.Future[None] = loop.create_future()
                    self._waiters.append((loop, future))
                await future
        finally:
            if counted:
                with self._mutex:
                    self._whole_waiting -= 1
                if not taken:  # given up (cancelled): scope writers held back for it may go on
                    self._wake_all()

    def _release(self, key: str | None) -> None:
        with self._mutex:
            if key is _WHOLE:
                self._whole = False
            else:
                self._held.discard(key)
        self._wake_all()

    def _wake_all(self) -> None:
        """Every waiter looks again (few wait at once; each re-checks under the mutex)."""
        with self._mutex:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits there any more
                loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
