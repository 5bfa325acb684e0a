"""Similarities of rows held as dicts (a search's candidates, an add's neighbours), and a memory's sentence
vectors: stored flat beside its embedding (Kuzu's Memory.parts), held under ids of their own in a loaded scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import Any, TypeVar

from graphmem.inprocess.vectors import as_matrix, unit_rows

V = TypeVar("V", bound=Sized)


def present(vector: V | None) -> V | None:
    """The vector, or None for a NULL or empty one (a list from a store, or a numpy array: `not array` is
    ambiguous)."""
    return vector if vector is not None and len(vector) else None


def split_parts(flat: Sequence[float] | None, embedding: Sequence[float] | None) -> list[Sequence[float]]:
    """A memory's sentence vectors, stored as one flat list (Kuzu's Memory.parts), each of its embedding's length."""
    flat, embedding = present(flat), present(embedding)
    if flat is None or embedding is None:
        return []
    dims = len(embedding)
    return [flat[i:i + dims] for i in range(0, len(flat) - dims + 1, dims)]


def part_id(row_id: str, index: int) -> str:
    """The id under which a memory's `index`th sentence vector is held ("<memory id>#<index>")."""
    return f"{row_id}#{index}"


def row_of_part(part: str) -> str:
    """The memory id a `part_id` belongs to."""
    return part.rpartition("#")[0]


def best_cosines(vector: Sequence[float], rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Each row's cosine with `vector` by id: the best of its `embedding`'s and its sentences' (`parts`)."""
    held = {part_id(row["id"], i): {"embedding": v} for row in rows if row.get("embedding") is not None
            for i, v in enumerate([row["embedding"], *split_parts(row.get("parts"), row["embedding"])])}
    [similarity] = cosines([vector], held)
    found: dict[str, float] = {}
    for key, score in similarity.items():
        row_id = row_of_part(key)
        found[row_id] = max(score, found.get(row_id, score))
    return found


def ranked_in_context(own: Mapping[str, float], context: Mapping[str, float], weight: float) -> dict[str, float]:
    """Each memory's vector ranking score: its own similarity and its context vector's (ingest/context.py),
    (own + weight x context) / (1 + weight); a memory without a context stands for its own."""
    return {mid: (score + weight * context.get(mid, score)) / (1 + weight) for mid, score in own.items()}


def cosines(vectors: Sequence[Sequence[float]], rows: Mapping[str, Mapping[str, Any]]) -> list[dict[str, float]]:
    """Cosine of each vector with the `embedding` of each row that has one, by row id (one matrix product)."""
    ids = [row_id for row_id, row in rows.items() if row.get("embedding") is not None]
    if not len(vectors) or not ids:
        return [{} for _ in vectors]
    stored = unit_rows(as_matrix([rows[row_id]["embedding"] for row_id in ids]))
    matrix = unit_rows(as_matrix(vectors)) @ stored.T
    return [dict(zip(ids, (float(s) for s in line), strict=True)) for line in matrix]
