"""reset() and delete_all() delete graphmem's own nodes only: an application's tables in the same Kuzu
database stay, with their rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import kuzu

from graphmem import AsyncMemory


def config(path: Path) -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": str(path)}}, "embedder": {"provider": "hash"}}


def make_foreign_table(path: Path) -> None:
    db = kuzu.Database(str(path))
    conn = kuzu.Connection(db)
    conn.execute("CREATE NODE TABLE Invoice(id STRING PRIMARY KEY, user_id STRING, total INT64)")
    conn.execute("CREATE REL TABLE PAID(FROM Invoice TO Invoice)")
    conn.execute("CREATE (:Invoice {id: 'a', user_id: 'alice', total: 10})-[:PAID]->"
                 "(:Invoice {id: 'b', user_id: 'alice', total: 20})")
    conn.close()
    db.close()


async def foreign_rows(memory: AsyncMemory) -> list[Any]:
    backend: Any = memory.backend
    rows: list[Any] = await backend._run(lambda: backend._execute(
        "MATCH (a:Invoice)-[:PAID]->(b:Invoice) RETURN a.id AS a, b.id AS b, a.user_id AS user"))
    return rows


def test_reset_and_delete_all_leave_a_foreign_table_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db"
    make_foreign_table(path)
    foreign = [{"a": "a", "b": "b", "user": "alice"}]

    async def main() -> None:
        memory = AsyncMemory(config(path))
        try:
            await memory.add("Alice paid the invoice in Paris", user_id="alice", infer=False)
            await memory.delete_all(user_id="alice")
            assert await foreign_rows(memory) == foreign
            await memory.add("Alice paid again", user_id="alice", infer=False)
            await memory.reset()
            assert (await memory.get_all(user_id="alice"))["results"] == []
            assert await foreign_rows(memory) == foreign
            assert (await memory.add("after the reset", user_id="alice", infer=False))["results"][0]["event"] == "ADD"
        finally:
            await memory.close()

    asyncio.run(main())
