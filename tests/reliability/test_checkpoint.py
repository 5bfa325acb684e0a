"""Issue 21's "lost committed MENTIONS edge": in Kuzu 0.11.3, once the tables had been checkpointed, the orphan
clean-up's `NOT EXISTS { MATCH (:Memory)-[:MENTIONS]->(e) }` missed the edges an update() had just made from the
memory it deletes and re-creates, and deleted entities it mentions, edges and all (with a checkpoint after
every commit: most runs; log replay after kill -9 is a checkpoint too). Kuzu's delete_orphans now reads the
memories' entity_ids lists instead (cypher/kuzu/entity/delete_orphans.cypher; bench/RESULTS.md)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory

sys.path.insert(0, str(Path(__file__).parent))
from invariants import broken


def test_updates_and_deletes_keep_their_links_with_a_checkpoint_after_every_commit(tmp_path: Path) -> None:
    config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {
        "db": str(tmp_path / "db"), "checkpoint_threshold": 1}}, "embedder": {"provider": "hash"}}

    async def main() -> dict[str, list[Any]]:
        memory = AsyncMemory(config)
        try:
            ids = [(await memory.add(f"Alice met Bob {i} in Paris", user_id="a", infer=False))["results"][0]["id"]
                   for i in range(3)]
            for i in range(3):
                await memory.update(ids[i], f"Carol{i} saw Dave{i} in Rome{i}")
            await memory.update(ids[0], "Carol0 saw Erin in Rome0")
            await memory.delete(ids[1])
            names = {e["name"] for e in await memory.entities(user_id="a")}
            assert names == {"Carol0", "Erin", "Rome0", "Carol2", "Dave2", "Rome2"}  # orphans went, nothing else
            return await broken(memory)
        finally:
            await memory.close()

    assert asyncio.run(main()) == {}
