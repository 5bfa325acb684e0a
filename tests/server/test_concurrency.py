"""Concurrent requests on one server (one shared AsyncMemory on Kuzu): adds and searches of two users at once
all succeed, and every add is stored."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


def test_concurrent_adds_and_searches(shared_server: Any) -> None:
    server, key = shared_server

    async def run() -> tuple[list[int], int]:
        async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Token {key}"},
                                     timeout=120) as http:
            adds = [http.post("/v3/memories/add/", json={"messages": f"I visited city number {i} with Bob{i % 3}",
                                                         "user_id": f"crowd{i % 2}"}) for i in range(12)]
            searches = [http.post("/v3/memories/search/", json={"query": "city", "filters": {"user_id": "crowd0"}})
                        for _ in range(6)]
            answers = await asyncio.gather(*adds, *searches)
            listed = await http.post("/v3/memories/", json={"filters": {"user_id": "crowd0"}})
            return [a.status_code for a in answers], listed.json()["count"]

    statuses, stored = asyncio.run(run())
    assert statuses == [200] * 18
    assert stored == 6
