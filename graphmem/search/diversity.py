"""Spread the best hits across the conversation: a multi-hop question's evidence lies in several sessions.

Fusion and the conversation-context lift favour runs of neighbouring turns (one matching stretch of a
conversation can fill the first ten results), so evidence said elsewhere falls below the cut. A hit
that has `n` better hits within `span` messages of its own keeps `(1 - strength) ** n` of its score:
a greedy, one-pass form of maximal marginal relevance where "similar" means "said nearby". The message
right before or after a better hit is not discounted: it is that hit's question or answer (the
context lift raised it on purpose).
Off by default (strength 0): judged on held-out conversations before it is turned on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def episode_number(episode_id: str) -> int | None:
    """The message's place in its scope's conversation (`<scope key>-<n>`, see ingest/plan.episode_id)."""
    _, _, seq = episode_id.rpartition("-")
    return int(seq) if seq.isdigit() else None


def spread(scores: Mapping[str, float], episodes: Mapping[str, Sequence[str]], strength: float, span: int,
           considered: int) -> dict[str, float]:
    """The scores with the `considered` best discounted by how many better hits were said near them."""
    if strength <= 0 or span <= 0:
        return dict(scores)
    spread_scores = dict(scores)
    kept: list[int] = []  # the message numbers of the better hits seen so far
    for memory_id in sorted(scores, key=lambda mid: -scores[mid])[:considered]:
        places = [n for e in episodes.get(memory_id, ()) if (n := episode_number(e)) is not None]
        near = sum(1 for n in places[:1] for k in kept if 1 < abs(n - k) <= span)
        spread_scores[memory_id] = scores[memory_id] * (1.0 - strength) ** near
        kept += places[:1]
    return spread_scores
