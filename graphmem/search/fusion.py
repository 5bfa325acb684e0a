"""Pure maths of the read path: reciprocal-rank fusion and score normalisation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float],
                           k: int = 60) -> dict[str, float]:
    """Fused scores in [0, 1]: weighted RRF divided by the best score any item could get.

    Dividing by the ideal (rank 1 in every signal) keeps scores comparable
    across queries, so a `threshold` means the same thing everywhere.
    """
    ideal = sum(weights.get(name, 0.0) / (k + 1) for name in rankings if rankings[name])
    if ideal <= 0:
        return {}
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = weights.get(name, 0.0)
        for rank, item in enumerate(ids):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    return {item: score / ideal for item, score in fused.items()}


def hop_decay(score: float, hops: int, decay: float = 0.5) -> float:
    """A graph neighbour's score fades by `decay` per hop beyond the first."""
    return score * decay ** max(0, hops - 1)
