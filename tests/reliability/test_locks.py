"""WriteLocks across event loops: one holder per scope key, the whole store excludes every scope, a waiting
whole-store writer is not starved, and a cancelled waiter leaves nothing held."""

from __future__ import annotations

import asyncio
import threading

from graphmem.backends.locks import WriteLocks


def in_threads(locks: WriteLocks, key: str | None, workers: int, rounds: int) -> list[str]:
    """`workers` threads, each with its own event loop, enter the lock `rounds` times; the trace of entries
    and exits (an overlap shows as two entries in a row)."""
    trace: list[str] = []

    async def work(name: str) -> None:
        for _ in range(rounds):
            async with (locks.whole() if key is None else locks.scope(key)):
                trace.append(f"in {name}")
                await asyncio.sleep(0)
                trace.append(f"out {name}")

    threads = [threading.Thread(target=asyncio.run, args=(work(str(i)),)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return trace


def test_one_holder_per_scope_across_loops() -> None:
    trace = in_threads(WriteLocks(), "sk", workers=4, rounds=25)
    assert len(trace) == 200
    assert all(a.startswith("in") and b == "out" + a[2:] for a, b in zip(trace[::2], trace[1::2], strict=True))


def test_the_whole_store_excludes_every_scope() -> None:
    locks = WriteLocks()
    events: list[str] = []

    async def main() -> None:
        async with locks.scope("a"):
            whole = asyncio.create_task(take_whole())
            await asyncio.sleep(0.01)
            late = asyncio.create_task(take_scope("b"))  # queued behind the waiting whole-store writer
            await asyncio.sleep(0.01)
            events.append("a done")
        await asyncio.gather(whole, late)

    async def take_whole() -> None:
        async with locks.whole():
            events.append("whole")

    async def take_scope(key: str) -> None:
        async with locks.scope(key):
            events.append(key)

    asyncio.run(main())
    assert events == ["a done", "whole", "b"]


def test_a_cancelled_waiter_leaves_the_lock_free() -> None:
    locks = WriteLocks()

    async def main() -> None:
        async with locks.scope("a"):
            waiter = asyncio.create_task(locks.whole().__aenter__())
            await asyncio.sleep(0.01)
            waiter.cancel()
        async with locks.scope("b"), locks.scope("a"):  # nothing is left held or waiting
            pass

    asyncio.run(asyncio.wait_for(main(), 5))
