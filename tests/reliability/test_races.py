"""Read-modify-writes raced against each other: a deleted memory never returns, nothing is half-written,
no scope gets stuck, no text is stored twice. Two AsyncMemory objects share one store; each side of a race
goes through its own object (and the sync facade's threads in the last test)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory, Memory
from graphmem.errors import NotFoundError

sys.path.insert(0, str(Path(__file__).parent))
from invariants import broken, memory_ids

ROUNDS = int(os.environ.get("GRAPHMEM_RACE_ROUNDS", "20"))  # 60 for the long run (bench/RESULTS.md)
Race = Callable[[AsyncMemory, AsyncMemory, int], Awaitable[None]]


def config(path: Path) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"}}


def race(path: Path, one_round: Race) -> None:
    """`ROUNDS` rounds of a race on two AsyncMemory objects over one store, invariants checked at the end."""
    async def main() -> None:
        first, second = AsyncMemory(config(path)), AsyncMemory(config(path))
        try:
            for round_ in range(ROUNDS):
                await one_round(first, second, round_)
            assert await broken(first) == {}
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


async def added(memory: AsyncMemory, text: str, user: str) -> str:
    result = await memory.add(text, user_id=user, infer=False)
    return str(result["results"][0]["id"])


async def both(*calls: Awaitable[Any]) -> list[Any]:
    """Run the calls at once; a NotFoundError is a fair outcome of a race, any other error is not."""
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, NotFoundError):
            raise outcome
    return outcomes


def test_update_racing_delete_never_brings_the_memory_back(tmp_path: Path) -> None:
    async def one_round(first: AsyncMemory, second: AsyncMemory, i: int) -> None:
        memory_id = await added(first, f"Alice lives in Paris {i}", "u")
        delete_first = i % 2 == 0  # either may be scheduled first
        calls = [second.delete(memory_id), first.update(memory_id, f"Alice lives in Rome {i}")]
        outcomes = await both(*(calls if delete_first else calls[::-1]))
        assert await first.get(memory_id) is None
        assert memory_id not in await memory_ids(first)
        assert not isinstance(outcomes[0 if delete_first else 1], Exception)  # the delete itself succeeded

    race(tmp_path / "db", one_round)


def test_update_racing_delete_all_never_brings_the_memory_back(tmp_path: Path) -> None:
    async def one_round(first: AsyncMemory, second: AsyncMemory, i: int) -> None:
        memory_id = await added(first, f"Bob works at Acme {i}", "u")
        await both(second.delete_all(user_id="u"), first.update(memory_id, f"Bob works at Initech {i}"))
        assert await first.get(memory_id) is None
        assert (await first.get_all(user_id="u"))["results"] == []

    race(tmp_path / "db", one_round)


def test_add_racing_delete_all_leaves_whole_memories_and_a_working_scope(tmp_path: Path) -> None:
    async def one_round(first: AsyncMemory, second: AsyncMemory, i: int) -> None:
        adds = [first.add(f"Carol met Dave in Oslo {i}-{k}", user_id="u", infer=False) for k in range(3)]
        await both(*adds[:2], second.delete_all(user_id="u"), adds[2])
        assert await broken(first) == {}
        after = await first.add(f"Carol is back {i}", user_id="u", infer=False)  # the scope is not stuck
        assert after["results"][0]["event"] == "ADD"

    race(tmp_path / "db", one_round)


def test_add_racing_update_to_the_same_text_stores_it_once(tmp_path: Path) -> None:
    async def one_round(first: AsyncMemory, second: AsyncMemory, i: int) -> None:
        memory_id = await added(first, f"Erin likes tea {i}", "u")
        text = f"Erin likes coffee {i}"
        await both(second.add(text, user_id="u", infer=False), first.update(memory_id, text))
        texts = [r["memory"] for r in (await first.get_all(user_id="u", limit=1000))["results"]]
        assert texts.count(text) == 1

    race(tmp_path / "db", one_round)


def test_update_of_a_deleted_memory_raises_not_found(memory: Memory) -> None:
    memory_id = memory.add("Frank plays chess", user_id="u", infer=False)["results"][0]["id"]
    memory.delete(memory_id)
    try:
        memory.update(memory_id, "Frank plays go")
    except NotFoundError:
        pass
    else:
        raise AssertionError("update of a deleted memory succeeded")
    assert memory.get(memory_id) is None


def test_threads_on_two_sync_memories_race_update_and_delete(tmp_path: Path) -> None:
    with Memory(config(tmp_path / "db")) as first, Memory(config(tmp_path / "db")) as second:
        for i in range(ROUNDS):
            memory_id = first.add(f"Gina visits Lima {i}", user_id="u", infer=False)["results"][0]["id"]
            errors: list[BaseException] = []
            calls = [lambda m=memory_id: second.delete(m),
                     lambda m=memory_id, t=f"Gina visits Quito {i}": first.update(m, t)]
            threads = [threading.Thread(target=_call, args=(call, errors)) for call in calls]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            assert first.get(memory_id) is None and second.get(memory_id) is None


def _call(fn: Callable[[], Any], errors: list[BaseException]) -> None:
    try:
        fn()
    except NotFoundError:
        pass
    except BaseException as exc:  # the test fails on it
        errors.append(exc)
