"""Time cues in queries become windows of UTC time, resolved against the search's time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from graphmem.errors import ValidationError
from graphmem.search.as_of import check_when
from graphmem.search.when import time_window

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=timezone.utc)  # a Wednesday


@pytest.mark.parametrize(("query", "start", "end"), [
    ("what did I do yesterday?", date(2026, 3, 10), date(2026, 3, 11)),
    ("What did I eat this morning", date(2026, 3, 11), date(2026, 3, 12)),
    ("the day before yesterday", date(2026, 3, 9), date(2026, 3, 10)),
    ("What did Caroline do in May 2023?", date(2023, 5, 1), date(2023, 6, 1)),
    ("trips in May", date(2025, 5, 1), date(2025, 6, 1)),  # the latest May not after now
    ("trips in March", date(2026, 3, 1), date(2026, 4, 1)),
    ("on 8 May, 2023", date(2023, 5, 8), date(2023, 5, 9)),
    ("on the 8th of May 2023", date(2023, 5, 8), date(2023, 5, 9)),
    ("May 8th", date(2025, 5, 8), date(2025, 5, 9)),
    ("Jan 2, 2024", date(2024, 1, 2), date(2024, 1, 3)),
    ("2023-05-08", date(2023, 5, 8), date(2023, 5, 9)),
    ("in 2022", date(2022, 1, 1), date(2023, 1, 1)),
    ("in the summer of 2022", date(2022, 1, 1), date(2023, 1, 1)),
    ("in May of 2023", date(2023, 5, 1), date(2023, 6, 1)),
    ("May 3 was rainy", date(2025, 5, 3), date(2025, 5, 4)),
    ("March 2nd trip", date(2026, 3, 2), date(2026, 3, 3)),
    ("3 weeks ago", date(2026, 2, 16), date(2026, 2, 23)),  # that calendar week, Monday first
    ("a few days ago", date(2026, 3, 8), date(2026, 3, 9)),
    ("two months ago", date(2026, 1, 1), date(2026, 2, 1)),
    ("a year ago", date(2025, 1, 1), date(2026, 1, 1)),
    ("in the past 2 months", date(2026, 1, 11), date(2026, 3, 11)),
    ("in the last year", date(2025, 3, 11), date(2026, 3, 11)),
    ("last week", date(2026, 3, 2), date(2026, 3, 9)),
    ("this month", date(2026, 3, 1), date(2026, 4, 1)),
    ("last year", date(2025, 1, 1), date(2026, 1, 1)),
    ("last Monday", date(2026, 3, 9), date(2026, 3, 10)),
    ("on Wednesday", date(2026, 3, 4), date(2026, 3, 5)),  # a week back: today is Wednesday
    ("what happened recently", date(2026, 2, 9), date(2026, 3, 11)),
])
def test_cues_become_windows(query: str, start: date, end: date) -> None:
    window = time_window(query, NOW)
    assert window is not None
    assert window.start is not None and window.end is not None
    assert (window.start.date(), window.end.date()) == (start, end)


@pytest.mark.parametrize(("query", "start", "end"), [
    ("since May 2023", date(2023, 5, 1), None),
    ("after 2022", date(2023, 1, 1), None),
    ("before 2024", None, date(2024, 1, 1)),
    ("until June 2025", None, date(2025, 7, 1)),
])
def test_since_after_before_until_open_one_end(query: str, start: date | None, end: date | None) -> None:
    window = time_window(query, NOW)
    assert window is not None
    assert (window.start.date() if window.start else None, window.end.date() if window.end else None) == (start, end)


@pytest.mark.parametrize("query", ["What is my name?", "When did Melanie paint a sunrise?", "I may 2 go",
                                   "2023 miles", "31 February", "Where do I work?",
                                   "Who is the author of 1984?", "May 3 books be renewed online?",
                                   "march 2 miles to the lake"])
def test_no_cue_no_window(query: str) -> None:
    assert time_window(query, NOW) is None


def test_the_window_holds_its_start_not_its_end() -> None:
    window = time_window("yesterday", NOW)
    assert window is not None and window.start is not None and window.end is not None
    assert window.holds(window.start) and not window.holds(window.end)
    assert window.cue == "yesterday"


@pytest.mark.parametrize(("query", "now", "day"), [
    ("what did I do on May 20", datetime(2024, 5, 10, tzinfo=timezone.utc), date(2023, 5, 20)),  # not ahead
    ("on 31 Dec", datetime(2024, 12, 5, tzinfo=timezone.utc), date(2023, 12, 31)),
    ("on Feb 29", datetime(2025, 3, 1, tzinfo=timezone.utc), date(2024, 2, 29)),  # the latest leap year's
    ("What did I tell June 2 weeks ago", datetime(2024, 5, 10, tzinfo=timezone.utc), date(2024, 4, 22)),
])
def test_a_day_without_a_year_is_the_latest_one_not_ahead(query: str, now: datetime, day: date) -> None:
    window = time_window(query, now)
    assert window is not None and window.start is not None and window.start.date() == day


def test_a_cue_beyond_the_calendar_is_no_cue() -> None:
    assert time_window("yesterday", datetime(1, 1, 1, tzinfo=timezone.utc)) is None
    assert time_window("999 years ago", datetime(500, 1, 1, tzinfo=timezone.utc)) is None


def test_one_as_of_check_for_every_surface() -> None:
    utc = timezone.utc
    assert check_when(None) is None
    assert check_when(" 2024-05-01 ") == datetime(2024, 5, 1, tzinfo=utc)  # a query string's stray spaces
    assert check_when("2024-05-01T14:00:00+02:00") == datetime(2024, 5, 1, 12, tzinfo=utc)
    assert check_when(datetime(2024, 5, 1)) == datetime(2024, 5, 1, tzinfo=utc)  # naive means UTC
    assert check_when(datetime(2024, 5, 1, 2, tzinfo=timezone(timedelta(hours=2)))) == datetime(2024, 5, 1, tzinfo=utc)
    for wrong in ("yesterday-ish", 20240501, "0001-01-01T00:30:00+02:00", "9999-12-31T23:30:00-02:00"):
        with pytest.raises(ValidationError) as caught:
            check_when(wrong)
        assert caught.value.field == "as_of"
