"""The relations a search returns, ordered by their graph score and their relevance to the query."""

from __future__ import annotations

import re

from graphmem.backends.base import Row

_WORD = re.compile(r"\w+", re.UNICODE)


def _stems(text: str) -> set[str]:
    """Crude stems (first five letters of each word over two letters): enough to match works/working."""
    return {w[:5] for w in _WORD.findall(text.lower().replace("_", " ")) if len(w) > 2}


def rank_relations(relations: list[Row], query: str, memory_similarity: dict[str, float]) -> list[Row]:
    """Order relations by graph score weighted by relevance to the query.

    Relevance is the larger of the similarity of the memory the relation was
    drawn from and the share of the relation's words (type, ends) that the
    query shares.
    """
    query_stems = _stems(query)
    ranked = []
    for rel in relations:
        words = _stems(f"{rel['type']} {rel.get('from_name', '')} {rel.get('to_name', '')}")
        overlap = len(words & query_stems) / len(words) if words else 0.0
        relevance = max(memory_similarity.get(rel.get("memory_id") or "", 0.0), overlap)
        ranked.append({**rel, "score": rel["score"] * (0.5 + 0.5 * relevance)})
    return sorted(ranked, key=lambda r: -r["score"])
