"""Time cues in a query: "yesterday", "last week", "3 months ago", "in May 2023", "since 2022-05-08".

`time_window(query, now)` turns the first cue it finds into a window of UTC times, resolved against
`now` (the search's `as_of`, else the current time). Search then ranks the memories whose message
time (`valid_at`: the add's `timestamp`, else when it was added) falls inside as one more signal, and
those whose metadata names a calendar date in it (search/metadata_dates).
English and Chinese (`when_zh`); a query without a cue gets no window and searches as before.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
_WEEKDAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3}
_UNIT = r"(day|week|month|year)s?"
_COUNT = r"(\d{1,3}|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?!\s+(?:day|week|month|year)s?\b)"  # "June 2 weeks ago" is no date
RECENT_DAYS = 30  # "recently", "lately"


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC; None is open-ended. `cue` is the words that set it."""

    start: datetime | None
    end: datetime | None
    cue: str

    def holds(self, when: datetime) -> bool:
        return within(self.start, self.end, when)


def within(start: datetime | None, end: datetime | None, when: datetime) -> bool:
    """Whether `when` falls in [start, end); None is open-ended (a window, or the span a fact held)."""
    return (start is None or when >= start) and (end is None or when < end)


def iso_utc(when: datetime) -> str:
    """Stored times are ISO-8601 UTC with microseconds, one format, so that they also compare as text."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def aware(value: datetime) -> datetime:
    """The datetime with its time zone; a naive one is taken as UTC (graphmem stores UTC times)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_time(value: object) -> datetime | None:
    """A stored ISO-8601 time as an aware datetime (naive: UTC); None when absent or unreadable."""
    if not value:
        return None
    try:
        return aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return None


def _day(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def _days(first: datetime, count: int = 1) -> tuple[datetime, datetime]:
    start = _day(first)
    return start, start + timedelta(days=count)


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    return start, start + timedelta(days=monthrange(year, month)[1])


def _year(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def _months_back(now: datetime, count: int) -> tuple[int, int]:
    index = now.year * 12 + now.month - 1 - count
    return index // 12, index % 12 + 1


def _ago(now: datetime, count: int, unit: str) -> tuple[datetime, datetime]:
    """The calendar day, week (Monday first), month or year `count` units before `now`."""
    if unit == "day":
        return _days(now - timedelta(days=count))
    if unit == "week":
        monday = _day(now) - timedelta(days=now.weekday() + 7 * count)
        return monday, monday + timedelta(days=7)
    if unit == "month":
        return _month(*_months_back(now, count))
    return _year(now.year - count)


def _past(now: datetime, count: int, unit: str) -> tuple[datetime, datetime]:
    """The last `count` units up to `now` ("in the past 3 weeks")."""
    if unit in ("day", "week"):
        return now - timedelta(days=count * (7 if unit == "week" else 1)), now
    if unit == "month":
        year, month = _months_back(now, count)
        return now.replace(year=year, month=month, day=min(now.day, monthrange(year, month)[1])), now
    return now.replace(year=now.year - count, day=min(now.day, 28) if now.month == 2 else now.day), now


def _last_month_named(now: datetime, month: int) -> int:
    """The year of the latest such month not after `now` ("in May" asked in March means last May)."""
    return now.year if month <= now.month else now.year - 1


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def _date(day: str, month: str, year: str | None, now: datetime) -> tuple[datetime, datetime] | None:
    """A day; without a year, the latest such day not after `now` (29 February: the latest leap year's)."""
    if month in ("may", "march") and not year:  # lower-case and alone, more likely the verb ("I may 2 ...")
        return None
    number, day_number = _MONTHS[month.lower().rstrip(".")], int(day)
    latest = now.year if (number, day_number) <= (now.month, now.day) else now.year - 1
    for chosen in [int(year)] if year else range(latest, latest - 8, -1):
        if 1 <= day_number <= monthrange(chosen, number)[1]:
            return _days(datetime(chosen, number, day_number, tzinfo=timezone.utc))
    return None


_Span = tuple[datetime, datetime] | None
_Rule = Callable[[re.Match[str], datetime], _Span]
_RULES: list[tuple[re.Pattern[str], _Rule]] = []  # each cue's pattern and how it becomes [start, end)


def _rule(pattern: str) -> Callable[[_Rule], _Rule]:
    def register(fn: _Rule) -> _Rule:
        _RULES.append((re.compile(r"\b" + pattern + r"\b", re.IGNORECASE), fn))
        return fn
    return register


@_rule(r"(\d{4})-(\d\d)-(\d\d)")
def _iso(m: re.Match[str], now: datetime) -> _Span:
    try:
        return _days(datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=timezone.utc))
    except ValueError:
        return None


@_rule(_DAY + r"(?: of)? " + _MONTH + r",?(?: " + _YEAR + r")?")
def _day_month(m: re.Match[str], now: datetime) -> _Span:
    return _date(m[1], m[2], m[3], now)


@_rule(_MONTH + r" " + _DAY + r"(?:,? " + _YEAR + r")?")
def _month_day(m: re.Match[str], now: datetime) -> _Span:
    if _counts_things(m):
        return None
    return _date(m[2], m[1], m[3], now)


# A plural noun after the number ("3 books"); words ending in -s that are not one ("May 3 was rainy").
_NEXT_WORD = re.compile(r"\s+([a-z]+)\b", re.IGNORECASE)
_NOT_PLURAL = frozenset({"was", "is", "has", "does", "this", "his", "its", "as", "us", "yes", "always",
                         "sometimes", "perhaps", "towards", "afterwards"})


def _counts_things(m: re.Match[str]) -> bool:
    """"May 3 books be ...", "march 2 miles": the verb and a count of things, not a date. Read so when May or
    March has a bare number (no year, no ordinal suffix) followed by what looks like a plural noun."""
    ordinal = m.string[m.end(2):m.end(2) + 2].lower() in ("st", "nd", "rd", "th")
    if m[1].lower() not in ("may", "march") or m[3] or ordinal:
        return False
    following = _NEXT_WORD.match(m.string, m.end())
    word = following[1].lower() if following else ""
    return word.endswith("s") and word not in _NOT_PLURAL


@_rule(_MONTH + r",? (?:of )?" + _YEAR)
def _month_year(m: re.Match[str], now: datetime) -> _Span:
    return _month(int(m[2]), _MONTHS[m[1].lower().rstrip(".")])


@_rule(r"(?:in|during|of|since|before|after|until) " + _MONTH + r"(?!,? (?:of )?\d)")
def _month_only(m: re.Match[str], now: datetime) -> _Span:
    number = _MONTHS[m[1].lower().rstrip(".")]
    return _month(_last_month_named(now, number), number)


# "of" only after a part of the year: "the summer of 2022" is a time, "the author of 1984" is not.
@_rule(r"(?:in|during|since|before|after|until|from|(?:spring|summer|autumn|fall|winter|start|beginning|middle|end"
       r"|rest) of) " + _YEAR)
def _year_only(m: re.Match[str], now: datetime) -> _Span:
    return _year(int(m[1]))


@_rule(r"(?:the )?day before yesterday")
def _two_days_ago(m: re.Match[str], now: datetime) -> _Span:
    return _days(now - timedelta(days=2))


@_rule(r"(?:yesterday|last night)")
def _yesterday(m: re.Match[str], now: datetime) -> _Span:
    return _days(now - timedelta(days=1))


@_rule(r"(?:today|tonight|this (?:morning|afternoon|evening))")
def _today(m: re.Match[str], now: datetime) -> _Span:
    return _days(now)


@_rule(_COUNT + r" " + _UNIT + r" ago")
def _units_ago(m: re.Match[str], now: datetime) -> _Span:
    return _ago(now, _count(m[1].lower()), m[2].lower())


@_rule(r"(?:in|over|during|within) the (?:last|past) (?:" + _COUNT + r" )?" + _UNIT)
def _in_the_past(m: re.Match[str], now: datetime) -> _Span:
    return _past(now, _count(m[1].lower()) if m[1] else 1, m[2].lower())


@_rule(r"(last|this|past) (week|month|year)")
def _last_unit(m: re.Match[str], now: datetime) -> _Span:
    return _ago(now, 0 if m[1].lower() == "this" else 1, m[2].lower())


@_rule(r"(?:last|on|this past) (" + "|".join(_WEEKDAYS) + r")")
def _weekday(m: re.Match[str], now: datetime) -> _Span:
    back = (now.weekday() - _WEEKDAYS[m[1].lower()]) % 7 or 7
    return _days(now - timedelta(days=back))


@_rule(r"(?:recently|lately)")
def _recently(m: re.Match[str], now: datetime) -> _Span:
    return now - timedelta(days=RECENT_DAYS), now


_OPEN = re.compile(r"\b(since|after|before|until)\s+$", re.IGNORECASE)
_ZH_SINCE_BEFORE = re.compile(r"(自从|自從|从|從)\s*$")
_ZH_SINCE_AFTER = re.compile(r"^\s*(以来|以來)")
_ZH_AFTER = re.compile(r"^\s*(之后|之後|以后|以後)")
_ZH_BEFORE = re.compile(r"^\s*(之前|以前)")


def _chinese_open(before: str, after: str) -> str:
    """自从 X / X 以来 open the window from X on, X 之后 after it, X 之前 before it (as since/after/before)."""
    if _ZH_SINCE_BEFORE.search(before) or _ZH_SINCE_AFTER.match(after):
        return "since"
    if _ZH_AFTER.match(after):
        return "after"
    return "before" if _ZH_BEFORE.match(after) else ""


def time_window(query: str, now: datetime) -> Window | None:
    """The window of the first time cue in `query`, resolved against `now` (timezone-aware); None if none.

    "since"/"after" X opens the window from X's start (after: its end) up to `now`; "before"/"until" X
    closes it at X's start (until: its end).
    """
    from graphmem.search.when_zh import RULES as CHINESE_RULES

    now = now.astimezone(timezone.utc)
    found: list[tuple[int, int, datetime, datetime]] = []
    for pattern, rule in _RULES + CHINESE_RULES:
        for match in pattern.finditer(query):
            try:
                span = rule(match, now)
            except (ValueError, OverflowError):  # beyond the calendar (an as_of in year 1, "999 years ago")
                span = None
            if span is not None:
                found.append((match.start(), match.end(), *span))
                break
    if not found:
        return None
    start_at, end_at, start, end = min(found, key=lambda f: (f[0], -f[1]))
    cue = query[start_at:end_at]
    before = _OPEN.search(query[:start_at]) or _OPEN.match(cue.split(" ", 1)[0] + " ")
    word = before.group(1).lower() if before else _chinese_open(query[:start_at], query[end_at:])
    if word in ("since", "after"):
        return Window(start if word == "since" else end, None, cue)
    if word in ("before", "until"):
        return Window(None, start if word == "before" else end, cue)
    return Window(start, end, cue)
