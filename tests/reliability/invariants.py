"""What must hold in a store after any race or crash (read with plain Cypher on the store's own thread)."""

from __future__ import annotations

from typing import Any

from graphmem import AsyncMemory

CHECKS = {
    "memory without its episode":
        "MATCH (m:Memory) WHERE NOT EXISTS { MATCH (m)-[:DERIVED_FROM]->(:Episode) } RETURN m.id AS id",
    "memory missing a link it lists":
        "MATCH (m:Memory) WHERE size(coalesce(m.entity_ids, [])) <> COUNT { MATCH (m)-[:MENTIONS]->(:Entity) } "
        "RETURN m.id AS id",
    "entity nothing mentions or relates":
        "MATCH (e:Entity) WHERE NOT EXISTS { MATCH (:Memory)-[:MENTIONS]->(e) } "
        "AND NOT EXISTS { MATCH (e)-[:RELATES]-() } RETURN e.id AS id",
    "entity whose mention count is off (below the hub cap, where counts are kept)":
        "MATCH (e:Entity) WITH e, COUNT { MATCH (:Memory)-[:MENTIONS]->(e) } AS n "
        "WHERE coalesce(e.mentions, 0) < 64 AND coalesce(e.mentions, 0) <> n RETURN e.id AS id",
    "duplicate text in a scope":
        "MATCH (m:Memory) WHERE m.invalid_at IS NULL WITH m.sk AS sk, m.hash AS hash, count(*) AS n "
        "WHERE n > 1 RETURN sk + ' ' + hash AS id",
}


async def broken(memory: AsyncMemory) -> dict[str, list[Any]]:
    """Each invariant that fails, with the ids that break it (empty: all hold)."""
    backend: Any = await memory._ready()
    found = {}
    for name, query in CHECKS.items():
        rows = await backend._run(lambda q=query: backend._execute(q))
        if rows:
            found[name] = [r["id"] for r in rows]
    return found


async def memory_ids(memory: AsyncMemory) -> set[str]:
    backend: Any = await memory._ready()
    rows = await backend._run(lambda: backend._execute("MATCH (m:Memory) WHERE m.invalid_at IS NULL RETURN m.id AS id"))
    return {r["id"] for r in rows}
