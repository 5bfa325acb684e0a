"""Session prior: a hit said in a stretch of conversation that matches the query as a whole counts more.

A multi-hop question's evidence lies in several sessions of a conversation, and a session that is
about the question holds several candidates, not one lucky match. A session here is known from the
store alone: the candidates are ordered by when they were said (`valid_at`, the add's `timestamp`)
and a new session starts wherever two consecutive ones are more than `SESSION_GAP` apart. A
session's strength is the mean of its best `SESSION_TOP` fused scores (missing ones count 0, so a
single stray hit makes a weak session), and each candidate is lifted by its session's strength:

    (score + prior × first × strength(its session) / strength(the strongest session)) / (1 + prior)

where `first` is the best fused score. A lexically weak turn of a relevant session passes a
better-worded one of an unrelated session, and no fused score rises above the best one (hence the
division). When every candidate falls in one session (a store added at one moment,
without timestamps) nothing changes. Candidates without a said time, and those past the
`considered` best, get no lift.
Off by default (prior 0): judged on held-out conversations before it is turned on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

SESSION_GAP = timedelta(hours=2)
SESSION_TOP = 3


def sessions_of(said: Mapping[str, datetime | None], gap: timedelta = SESSION_GAP) -> dict[str, int]:
    """Each memory with a said time numbered by its gap-separated stretch of the timeline (0, 1, ...)."""
    timed = sorted(((at, mid) for mid, at in said.items() if at is not None), key=lambda pair: pair[0])
    numbers: dict[str, int] = {}
    session, last = 0, None
    for at, mid in timed:
        if last is not None and at - last > gap:
            session += 1
        numbers[mid], last = session, at
    return numbers


def session_strengths(scores: Mapping[str, float], sessions: Mapping[str, int],
                      top: int = SESSION_TOP) -> dict[int, float]:
    """Per session, the mean of its `top` best scores (a session with fewer counts the missing as 0)."""
    members: dict[int, list[float]] = {}
    for mid, session in sessions.items():
        if mid in scores:
            members.setdefault(session, []).append(scores[mid])
    return {s: sum(sorted(values, reverse=True)[:top]) / top for s, values in members.items()}


def session_prior(scores: Mapping[str, float], said: Mapping[str, datetime | None], prior: float,
                  considered: int, gap: timedelta = SESSION_GAP, top: int = SESSION_TOP) -> dict[str, float]:
    """The scores lifted by their session's strength among the `considered` best (see the module)."""
    if prior <= 0:
        return dict(scores)
    ranked = sorted(scores, key=lambda mid: -scores[mid])[:considered]
    sessions = sessions_of({mid: said.get(mid) for mid in ranked}, gap)
    strengths = session_strengths(scores, sessions, top)
    strongest = max(strengths.values(), default=0.0)
    if len(strengths) < 2 or strongest <= 0:
        return dict(scores)
    first = scores[ranked[0]]
    result = {mid: score / (1.0 + prior) for mid, score in scores.items()}
    for mid, session in sessions.items():
        result[mid] = (scores[mid] + prior * first * strengths[session] / strongest) / (1.0 + prior)
    return result
