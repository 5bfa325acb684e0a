"""Whether a scope holds at least n memories: the gate of the signals that only serve big scopes (feedback,
shared). Counting is a read of up to n memories by time; on a Bolt store that is a sort of the scope's memories
each search, so a scope found big is remembered (the last MAX_REMEMBERED of them). One that shrinks below n
afterwards keeps those signals until it is forgotten or the process restarts: they cost it a little recall at 5,
not correctness.
"""

from __future__ import annotations

from collections import OrderedDict

from graphmem.backends.base import GraphBackend
from graphmem.scope import Scope

MAX_REMEMBERED = 4096


class ScopeSizes:
    def __init__(self, backend: GraphBackend) -> None:
        self._backend = backend
        self._big: OrderedDict[tuple[Scope, int], None] = OrderedDict()

    async def holds_at_least(self, count: int, found: int, scope: Scope) -> bool:
        """Whether the scope holds `count` memories or more (`found`: as many as a search already returned)."""
        if found >= count:
            return True
        key = (scope, count)
        if key in self._big:
            self._big.move_to_end(key)
            return True
        # Memories are listed by when they were said: every memory has that time (its add's, by default).
        if len(await self._backend.memories_between(None, None, count, scope)) < count:
            return False
        self._big[key] = None
        if len(self._big) > MAX_REMEMBERED:
            self._big.popitem(last=False)
        return True
