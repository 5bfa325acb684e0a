"""Long pure-Python work in a worker thread gives the GIL away every couple of milliseconds.

CPython lets a thread that wants the GIL wait up to its switch interval (5 ms) before the holder is
asked to drop it, and a call such as another scope's `get_all` needs the GIL a dozen times (each
hop between the event loop and the store's thread): beside a 100,000-character Chinese add (a
second of jieba in pure Python) such a call waited 35 ms at the median and 66 ms at worst. Work
that paces itself with `Pacer.tick` (or iterates through `paced`) sleeps 0.2 ms after every 2 ms
of running, which hands the GIL to whoever waits for it; the add costs ~10% more.

Nothing pauses on a thread that runs an event loop: a pause there would delay the loop itself.
"""

from __future__ import annotations

import asyncio
import gc
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

SLICE = 0.002  # seconds of running between pauses: well under CPython's 5 ms switch interval
PAUSE = 0.0002  # seconds: long enough for a waiting thread to wake and take the GIL
_pausing = True
PROMOTED_LOAD = 100_000  # objects made under collections_paused past which they go to the oldest generation
_collecting = threading.Lock()
_bulk_loads = 0  # blocks under collections_paused running now
_was_enabled = False  # whether collections ran before the first of them


def pause_never() -> None:
    """For a process that runs nothing beside its work (the extractor's worker, ingest/extract_worker.py)."""
    global _pausing
    _pausing = False


class Pacer:
    """Counts running time since the last pause; `tick()` pauses when a slice has run out."""

    def __init__(self) -> None:
        self._on_loop = not _pausing or _on_event_loop()
        self._since = time.perf_counter()

    def tick(self) -> None:
        if self._on_loop:
            return
        now = time.perf_counter()
        if now - self._since >= SLICE:
            time.sleep(PAUSE)
            self._since = time.perf_counter()


def paced(items: Iterable[T]) -> Iterator[T]:
    """The items, pausing between them when a slice of running time has run out."""
    pacer = Pacer()
    for item in items:
        yield item
        pacer.tick()


def slices(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """The items in consecutive slices of at most `size` (work done a slice at a time, with pauses between)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def pieces(text: str, size: int, breaks: re.Pattern[str]) -> Iterator[str]:
    """The text in consecutive pieces of about `size` characters, each ending right after a match of
    `breaks` (where the reader splits anyway), or at 4 x `size` where none comes; they join to the text."""
    start = 0
    while len(text) - start > size:
        found = breaks.search(text, start + size)
        end = found.end() if found and found.end() - start < 4 * size else start + size
        yield text[start:end]
        start = end
    if start < len(text):
        yield text[start:]


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs, for a bulk load of many small objects, none of them
    garbage. CPython runs a full collection each time the objects it tracks grow by a quarter, each walking them
    all: a 100k scope's load ran twelve, ~1.9 s of its ~8 s. The pause is process-wide (collections are), lasts
    the load, and ends with the last block running; collections off before it stay off (turned off by another
    thread during it, they come back on: gc cannot tell who turned them off)."""
    global _bulk_loads, _was_enabled
    with _collecting:
        if _bulk_loads == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _bulk_loads += 1
    try:
        yield
    finally:
        with _collecting:
            _bulk_loads -= 1
            if _bulk_loads == 0 and _was_enabled:
                # What a big load made goes to the oldest generation, as if it had survived the younger ones: walked
                # by each of them first, ~1M objects took ~0.8 s of the next search. (Not what a small one made:
                # promoted uncounted, it would put off the full collections. Nor when the application froze
                # objects: unfreeze would let go of them.)
                if gc.get_count()[0] >= PROMOTED_LOAD and not gc.get_freeze_count():
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
