"""Child processes of the reliability tests: each runs `python workers.py <job> <db> [args]`.

A child runs what may crash the interpreter (two Memory objects writing to one store) or what a test kills
(SIGKILL mid-write), so that a segfault or a kill fails a test instead of ending pytest.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
from typing import Any

from graphmem import Memory

HASH = {"provider": "hash"}


def config(db: str) -> dict[str, Any]:
    store: dict[str, Any] = {"db": db}
    if os.environ.get("GRAPHMEM_CRASH_CHECKPOINT"):  # bench/crash.py --checkpoint: Kuzu checkpoints that often
        store["checkpoint_threshold"] = int(os.environ["GRAPHMEM_CRASH_CHECKPOINT"])
    return {"graph_store": {"provider": "kuzu", "config": store}, "embedder": HASH}


def two_writers(db: str, threads: int, adds: int) -> None:
    """Two Memory objects on one path, `threads` threads writing through each; prints what was added."""
    memories = [Memory(config(db)), Memory(config(db))]
    added: list[str] = []
    errors: list[str] = []

    def write(which: int, thread: int) -> None:
        for i in range(adds):
            text = f"note {which}-{thread}-{i} about the garden"
            try:
                memories[which].add(text, user_id=f"user{thread % 2}", infer=False)
                added.append(text)
            except Exception as exc:  # reported, the test fails on it
                errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=write, args=(w, t)) for w in range(2) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stored = [r["memory"] for u in ("user0", "user1") for r in memories[0].get_all(user_id=u, limit=10_000)["results"]]
    for memory in memories:
        memory.close()
    print(json.dumps({"added": added, "stored": stored, "errors": errors}))


def mixed_writes(db: str, log: str, seed: int) -> None:
    """Adds, updates and deletes until killed. Each call is logged (and fsynced) before it starts ("begin")
    and after it returns ("done"), so the test knows what returned and what was in flight."""
    rng = random.Random(seed)
    memory = Memory(config(db))
    live: list[str] = []
    with open(log, "a", encoding="utf-8") as out:
        def note(**entry: Any) -> None:
            out.write(json.dumps(entry) + "\n")
            out.flush()
            os.fsync(out.fileno())

        for step in range(10_000):
            action = rng.random()
            if action < 0.6 or not live:
                text = f"Alice met Bob {seed}-{step} in Paris near Berlin"
                note(phase="begin", op="add", text=text)
                memory_id = memory.add(text, user_id="alice", infer=False)["results"][0]["id"]
                live.append(memory_id)
                note(phase="done", op="add", id=memory_id, text=text)
            elif action < 0.85:
                memory_id, text = rng.choice(live), f"Carol updated {seed}-{step} in Rome with Dave"
                note(phase="begin", op="update", id=memory_id, text=text)
                memory.update(memory_id, text)
                note(phase="done", op="update", id=memory_id, text=text)
            else:
                memory_id = live.pop(rng.randrange(len(live)))
                note(phase="begin", op="delete", id=memory_id)
                memory.delete(memory_id)
                note(phase="done", op="delete", id=memory_id)


def failed_begin(db: str) -> None:
    """A write whose BEGIN fails (a transaction is left open on the connection), then more work on it."""
    import asyncio

    from graphmem import AsyncMemory
    from graphmem.backends.base import Statement
    from graphmem.errors import BackendError

    async def main() -> None:
        memory = AsyncMemory(config(db))
        await memory.add("before", user_id="u", infer=False)
        backend: Any = memory.backend
        await backend._run(lambda: backend._execute("BEGIN TRANSACTION"))
        try:
            await backend.write([Statement("admin/set_meta", {"key": "k", "value": "v"})])
        except BackendError as exc:
            print("refused:", exc)
        await memory.add("after", user_id="u", infer=False)
        texts = sorted(r["memory"] for r in (await memory.get_all(user_id="u"))["results"])
        await memory.close()
        print(json.dumps(texts))

    asyncio.run(main())


if __name__ == "__main__":
    job, *args = sys.argv[1:]
    if job == "two_writers":
        two_writers(args[0], int(args[1]), int(args[2]))
    elif job == "mixed_writes":
        if len(args) > 3:  # an abnormal exit of its own after this many seconds, from another thread
            threading.Timer(float(args[3]), os._exit, (0,)).start()
        mixed_writes(args[0], args[1], int(args[2]))
    elif job == "failed_begin":
        failed_begin(args[0])
    else:
        raise SystemExit(f"unknown job {job!r}")
