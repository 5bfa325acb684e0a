"""The dates a memory carries in its metadata, for the query's time cue (search/when).

A memory's said time (`valid_at`: add's `timestamp`, else the time of the add) is what "in May 2023" is read
against. Many stores keep a date beside the text instead: an imported conversation's session date, an event's
day, a due date, under a key such as `date`, `session_date_time` or `due_at`. Whichever it is, the memory is
about that day, so the time signal counts a memory whose metadata names a date inside the query's window as it
counts one said then. Nothing else reads these dates: `created_at`, `as_of` and the said time stay the add's.

What counts: a string under a key named for a time (`TIME_KEY`) that names a calendar date with its year (an
ISO-8601 time, "8 May, 2023", "May 8, 2023", "May 2023", "2023年5月8日"), or a number there that reads as Unix
seconds or milliseconds of the years 2001-2286 (mem0's platform takes Unix seconds for `timestamp`). A date is
told from a relative cue ("yesterday", "in June") by reading it against two far-apart "now"s: a calendar date
gives the same day both times.

Measured (LOCOMO dev as the shared harness adds it: each turn's session date in `metadata["date"]`, no
`timestamp`; bench/RESULTS.md, session 21): the 35 of 383 questions that name a date, R@5 .714 -> .800, R@10 .886
both; every other question unchanged; all 1-4 R@5 .766 -> .774.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from graphmem.search.when import Window, parse_time, time_window

TIME_KEY = re.compile(r"(?:^|[_\-\s])(?:date|time|timestamp|datetime|day|when|at|on)$|^(?:date|time|when)(?:[_\-\s]|$)",
                      re.IGNORECASE)
_READ_IN = (datetime(1900, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc))
_INSTANT = timedelta(microseconds=1)
Span = tuple[datetime, datetime]


@lru_cache(maxsize=4096)  # a conversation's turns share their session's date
def calendar_span(text: str) -> Span | None:
    """[start, end) of the calendar date `text` names with its year (an ISO-8601 time: that instant), or None."""
    first, second = (time_window(text, now) for now in _READ_IN)
    if first is not None and first == second and first.start is not None and first.end is not None:
        return first.start, first.end
    if first is None and (instant := parse_time(text.strip())) is not None:  # "2023-05-08T13:56:00Z"
        return instant, instant + _INSTANT
    return None  # no time, a relative one ("last week"), or an open one ("since 2022")


def unix_span(value: float) -> Span | None:
    """The instant of Unix seconds (or milliseconds) between 2001 and 2286; None for any other number."""
    for scale in (1.0, 1000.0):
        if 1e9 <= value / scale < 1e10:
            instant = datetime.fromtimestamp(value / scale, timezone.utc)
            return instant, instant + _INSTANT
    return None


def _span(value: object) -> Span | None:
    if isinstance(value, str):
        return calendar_span(value[:200])
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return unix_span(value)
    return None


def metadata_dates(metadata: object) -> list[Span]:
    """The calendar dates of a memory's metadata (a dict, or the JSON text a store keeps) under time keys."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return []
    if not isinstance(metadata, dict):
        return []
    return [span for key, value in metadata.items()
            if isinstance(key, str) and TIME_KEY.search(key) and (span := _span(value)) is not None]


def dated_within(window: Window, rows: Iterable[dict[str, object]]) -> set[str]:
    """The ids of the memory rows whose metadata names a date that meets the window."""
    return {str(row["id"]) for row in rows
            if any((window.end is None or start < window.end) and (window.start is None or end > window.start)
                   for start, end in metadata_dates(row.get("metadata")))}
