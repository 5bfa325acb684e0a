"""Rows from the graph turned into mem0's return shapes."""

from __future__ import annotations

import json
from typing import Any

from graphmem.backends.base import Row

# A memory's vectors as the store holds them: its own, its sentences' (ingest/parts) and its context's
# (ingest/context); what a snapshot, a networkx graph or the CLI leave out unless embeddings are asked for.
VECTOR_PROPERTIES = ("embedding", "parts", "context_embedding")
_PROMOTED = ("user_id", "agent_id", "run_id", "actor_id", "role")


def memory_record(row: Row, score: float | None = None) -> dict[str, Any]:
    """mem0's MemoryItem: id, memory, hash, metadata, [score], created_at, updated_at, scope ids."""
    metadata = json.loads(row["metadata"]) if row.get("metadata") else {}
    expires = metadata.pop("expiration_date", None)  # stored among the metadata, returned beside it (as mem0)
    record: dict[str, Any] = {
        "id": row["id"],
        "memory": row["text"],
        "hash": row.get("hash"),
        "metadata": metadata or None,
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
    }
    if score is not None:
        record["score"] = score
    for key in _PROMOTED:
        if row.get(key) is not None:
            record[key] = row[key]
    if expires is not None:
        record["expiration_date"] = expires
    if row.get("memory_type"):
        record["memory_type"] = row["memory_type"]
    if row.get("invalid_at"):  # superseded: only get() and search(as_of=...) return it
        record["invalid_at"] = row["invalid_at"]
    return record


def relation_record(row: Row) -> dict[str, Any]:
    """A relation with mem0's keys (`destination`) and graphmem's (`target`, `fact`, `score`, `hops`)."""
    record: dict[str, Any] = {
        "source": row["source"],
        "relationship": row["relationship"],
        "target": row["target"],
        "destination": row["target"],
        "fact": row.get("fact") or "",
    }
    for key in ("score", "hops", "valid_at", "invalid_at"):
        if row.get(key) is not None:
            record[key] = row[key]
    return record


def history_record(row: Row) -> dict[str, Any]:
    """mem0's history row."""
    return {
        "id": row["id"],
        "memory_id": row["memory_id"],
        "old_memory": row.get("old_text"),
        "new_memory": row.get("new_text"),
        "event": row["event"],
        "created_at": row["created_at"],
        "updated_at": None,
        "is_deleted": row["event"] == "DELETE",
        "actor_id": row.get("actor"),
        "role": row.get("role"),
    }
