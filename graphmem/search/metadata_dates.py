"""The dates a memory carries in its metadata, for the query's time cue (search/when).

A memory's said time (`valid_at`: add's `timestamp`, else the time of the add) is what "in May 2023" is read
against. Many stores keep a date beside the text instead: an imported conversation's session date, an event's
day, a due date, under a key such as `date`, `session_date_time` or `due_at`. Whichever it is, the memory is
about that day, so the time signal counts a memory whose metadata names a date inside the query's window as it
counts one said then. Nothing else reads these dates: `created_at`, `as_of` and the said time stay the add's.

What counts: a top-level value under a key named for a time (`time_key`: `date`, `created_at`, `dueDate`,
`session_date_time`, `timestamp_ms`, ...; not `time_zone`, `date_format`, `time_spent`, nor graphmem's own
`expiration_date`) that names a calendar date with its year (ISO-8601, "8 May, 2023", "May 8, 2023", "May 2023",
"2023年5月8日"), or a number there that reads as Unix seconds or milliseconds of the years 2001-2286 (mem0's
platform takes Unix seconds for `timestamp`). An ISO-8601 time is its instant, a date alone its day. Other text
is told a date from a relative cue ("yesterday", "in June") by reading it against two far-apart "now"s: a
calendar date gives the same day both times. Only the search's candidates are read (its best 50 or `limit`),
and an open window ("since 2022") ends at the search's now, as for said times: a due date in 2031 is not "since
2022". A value that cannot be read is no date; it never fails a search.

Measured (LOCOMO dev as the shared harness adds it: each turn's session date in `metadata["date"]`, no
`timestamp`; bench/RESULTS.md, session 21): the 35 of 383 questions that name a date, R@5 .714 -> .800, R@10 .886
both; every other question unchanged; all 1-4 R@5 .766 -> .774.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from graphmem.mem0_forms import EXPIRATION_KEY
from graphmem.search.when import Window, parse_time, time_window

_TIME_WORDS = frozenset({"date", "time", "timestamp", "datetime", "day", "when", "at", "on", "ts", "deadline", "due"})
_LEADING_TIME_WORDS = frozenset({"date", "time", "when"})  # "date_created", "time of day"
_UNITS = frozenset({"ms", "s", "sec", "secs", "seconds", "utc", "iso", "local"})  # "timestamp_ms", "date_utc"
_NOT_A_TIME = frozenset({"zone", "tz", "format", "fmt", "spent", "taken", "elapsed", "duration", "left", "limit",
                         "out", "to", "unit", "units", "range", "window", "span", "count", "type", "kind"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ISO_DAY = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)\s*")
_ISO_START = re.compile(r"\s*\d{4}-\d\d-\d\d[T ]\d")
_READ_IN = (datetime(1900, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc))
_INSTANT = timedelta(microseconds=1)
Span = tuple[datetime, datetime]


@lru_cache(maxsize=1024)
def time_key(key: str) -> bool:
    """Whether a metadata key names a time: its last word (a unit aside) or its first is a time word, and no
    word says it is about times rather than one ("time_zone", "date_format", "time_spent")."""
    words = [w.lower() for w in _WORDS.findall(key)]
    if key == EXPIRATION_KEY or not words or not _NOT_A_TIME.isdisjoint(words):
        return False
    while len(words) > 1 and words[-1] in _UNITS:
        words.pop()
    return words[-1] in _TIME_WORDS or words[0] in _LEADING_TIME_WORDS


@lru_cache(maxsize=4096)  # a conversation's turns share their session's date
def calendar_span(text: str) -> Span | None:
    """[start, end) of the calendar date `text` names with its year (an ISO-8601 time: that instant), or None."""
    try:
        if day := _ISO_DAY.fullmatch(text):
            start = datetime(int(day[1]), int(day[2]), int(day[3]), tzinfo=timezone.utc)
            return start, start + timedelta(days=1)
        if _ISO_START.match(text) and (instant := parse_time(text.strip())) is not None:
            return instant, instant + _INSTANT  # its offset read: "2023-05-08 23:30-05:00" is the 9th in UTC
        first, second = (time_window(text, now) for now in _READ_IN)
    except (ValueError, OverflowError):  # "9999-12-31T23:59:59.999999Z", a 31 February
        return None
    if first is not None and first == second and first.start is not None and first.end is not None:
        return first.start, first.end
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
    if isinstance(value, (int, float)) and not isinstance(value, bool) and -1e14 < value < 1e14:  # NaN fails too
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
            if isinstance(key, str) and time_key(key) and (span := _span(value)) is not None]


def dated_within(window: Window, rows: Iterable[dict[str, object]], now: datetime) -> set[str]:
    """The ids of the memory rows whose metadata names a date that meets the window (an open end: `now`)."""
    end = window.end or now
    return {str(row["id"]) for row in rows
            if any(start < end and (window.start is None or stop > window.start)
                   for start, stop in metadata_dates(row.get("metadata")))}
