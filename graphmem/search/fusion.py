"""Pure maths of the read path: reciprocal-rank fusion and score normalisation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphmem.config import SearchConfig


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
        for rank, item in enumerate(dict.fromkeys(ids)):  # an id counts once per signal, at its best rank
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    return {item: score / ideal for item, score in fused.items()}


def best(scores: Mapping[str, float], count: int | None = None) -> list[str]:
    """Ids by descending score, the first `count` of them (all when None)."""
    return sorted(scores, key=lambda item: -scores[item])[:count]


def by_rank(ranking: Sequence[str]) -> dict[str, float]:
    """1/(rank + 1) by id: the scores of a signal that is only a ranking (graph, named, shared)."""
    return {item: 1.0 / (rank + 1) for rank, item in enumerate(ranking)}


def hop_decay(score: float, hops: int, decay: float = 0.5) -> float:
    """A graph neighbour's score fades by `decay` per hop beyond the first."""
    return score * decay ** max(0, hops - 1)


def score_fusion(signals: Mapping[str, Mapping[str, float]], weights: Mapping[str, float]) -> dict[str, float]:
    """Weighted sum of each signal's scores scaled to [0, 1] by its best score, divided by the weights' sum.

    Unlike rank fusion it keeps how much better the first hit is than the
    tenth, which matters when one signal is confident and the others are not.
    """
    total = sum(weights.get(name, 0.0) for name, scores in signals.items() if scores)
    if total <= 0:
        return {}
    fused: dict[str, float] = {}
    for name, scores in signals.items():
        weight = weights.get(name, 0.0)
        best = max(scores.values(), default=0.0)
        if weight <= 0 or best <= 0:
            continue
        for item, score in scores.items():
            fused[item] = fused.get(item, 0.0) + weight * max(score, 0.0) / best
    return {item: score / total for item, score in fused.items()}


def fuse(rankings: Mapping[str, Sequence[str]], signals: Mapping[str, Mapping[str, float]],
         config: SearchConfig) -> dict[str, float]:
    """The configured fusion (`config.fusion`) of the signals' rankings or scores."""
    if config.fusion == "score":
        return score_fusion(signals, config.weights)
    return reciprocal_rank_fusion(rankings, config.weights, config.rrf_k)


def lifted(scores: Mapping[str, float], lifts: Mapping[str, float]) -> dict[str, float]:
    """Scores with each lift added, capped at 1."""
    result = dict(scores)
    for item, lift in lifts.items():
        result[item] = min(1.0, result.get(item, 0.0) + lift)
    return result
