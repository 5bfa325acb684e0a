"""Known Kuzu 0.11.3 problem (issue 21, "lost committed MENTIONS edge"): entities created by an update() vanish,
with their MENTIONS edges, when a checkpoint follows the update's commit. With checkpoint_threshold=1 (a
checkpoint after every commit) 2 of the 3 new entities were missing in most runs; the same happens when Kuzu
replays its log on reopen after kill -9. Not reproduced yet with plain Kuzu statements; see bench/RESULTS.md.
The test runs so that a fix (in graphmem or in Kuzu) shows up as XPASS."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from graphmem import AsyncMemory

sys.path.insert(0, str(Path(__file__).parent))
from invariants import broken


@pytest.mark.xfail(reason="Kuzu 0.11.3 loses entities created by an update when a checkpoint follows", strict=False)
def test_an_update_survives_a_checkpoint_after_every_commit(tmp_path: Path) -> None:
    config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {
        "db": str(tmp_path / "db"), "checkpoint_threshold": 1}}, "embedder": {"provider": "hash"}}

    async def main() -> dict[str, list[Any]]:
        memory = AsyncMemory(config)
        try:
            ids = [(await memory.add(f"Alice met Bob {i} in Paris", user_id="a", infer=False))["results"][0]["id"]
                   for i in range(3)]
            for i in range(3):
                await memory.update(ids[i], f"Carol{i} saw Dave{i} in Rome{i}")
            return await broken(memory)
        finally:
            await memory.close()

    assert asyncio.run(main()) == {}
