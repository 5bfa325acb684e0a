"""Time order of facts: which of two contradicting facts holds now, and times that never go back. Pure.

`add(timestamp=...)` imports old conversations, so an add may say something older than what the
store holds. Validity follows when things were said, not when they were stored (bi-temporal, as
Graphiti's edge invalidation): see graphmem/ingest/supersede.py for how an add applies these rules.

Stored times are ISO-8601 UTC strings of one format, but a relation's `valid_at` may be the model's
own ISO date, so times are compared as instants, not as text.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from graphmem.search.when import parse_time

_NEVER = datetime.min.replace(tzinfo=timezone.utc)  # an unknown start: before everything


def supersedes(said_at: str, began: str | None) -> bool:
    """Whether a fact said at `said_at` ends a contradicting one that began at `began`.

    The later-said fact holds; at the same instant the newly stored one does (as before this rule,
    when every add was "now"). A fact with no known start is ended by anything.
    """
    return instant(said_at) >= instant(began)


def latest(*times: str | None) -> str:
    """The latest of these times, as given (a record's `updated_at` never goes back before these)."""
    known = [t for t in times if t]
    if not known:
        raise ValueError("latest() needs at least one time")
    return max(known, key=instant)


def earliest(*times: str | None) -> str:
    """The earliest of these times, as given."""
    known = [t for t in times if t]
    if not known:
        raise ValueError("earliest() needs at least one time")
    return min(known, key=instant)


def said_in_the_past(said_at: str, slack: timedelta = timedelta(minutes=1)) -> bool:
    """Whether an add's time is before the clock's (an import of older messages), beyond `slack`."""
    return instant(said_at) < datetime.now(timezone.utc) - slack


def instant(value: str | None) -> datetime:
    return parse_time(value) or _NEVER
