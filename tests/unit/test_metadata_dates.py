"""The calendar dates a memory's metadata names (search/metadata_dates): what counts and what does not."""

from __future__ import annotations

from datetime import datetime, timezone

from graphmem.search.metadata_dates import calendar_span, dated_within, metadata_dates, time_key
from graphmem.search.when import Window

UTC = timezone.utc


def day(y: int, m: int, d: int) -> tuple[datetime, datetime]:
    return datetime(y, m, d, tzinfo=UTC), datetime(y, m, d + 1, tzinfo=UTC)


def test_a_calendar_date_with_its_year_is_its_day_or_month() -> None:
    assert calendar_span("1:56 pm on 8 May, 2023") == day(2023, 5, 8)
    assert calendar_span("May 8, 2023") == day(2023, 5, 8)
    assert calendar_span("2023-05-08") == day(2023, 5, 8)
    assert calendar_span("2023年5月8日") == day(2023, 5, 8)
    assert calendar_span("May 2023") == (datetime(2023, 5, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC))
    assert calendar_span(" 2023-05-08 ") == day(2023, 5, 8)


def test_keys_are_read_by_their_words() -> None:
    for key in ("date", "Date", "created_at", "createdAt", "dueDate", "eventDate", "startTime", "dateCreated",
                "publishedAt", "timestamp_ms", "ts", "deadline", "session_date_time_utc", "Session Date"):
        assert time_key(key), key
    for key in ("time_zone", "date_format", "time_spent", "time_taken_ns", "timeout", "timezone", "format", "data",
                "category", "update_count", "session", "expiration_date"):
        assert not time_key(key), key


def test_what_cannot_be_read_is_no_date() -> None:
    for value in ("9999-12-31T23:59:59.999999Z", "2023-02-31", 10**400, -(10**400), float("inf"), [2023], {"y": 1}):
        assert metadata_dates({"date": value}) == [], value


def test_an_iso_time_is_its_instant() -> None:
    for text in ("2023-05-08T13:56:00+02:00", "2023-05-08 13:56:00+02:00"):
        start, end = calendar_span(text) or (None, None)
        assert start == datetime(2023, 5, 8, 11, 56, tzinfo=UTC)
        assert end is not None and (end - start).total_seconds() < 1


def test_relative_open_and_yearless_cues_are_no_date() -> None:
    for text in ("yesterday", "last week", "in June", "June 5", "since 2022", "before May 2023", "2023", "soon", ""):
        assert calendar_span(text) is None, text


def test_only_time_keys_count() -> None:
    metadata = {"date": "8 May, 2023", "due_at": "2024-01-02", "session_date_time": "May 2023",
                "title": "8 May, 2023", "session": "2023-05-08", "count": 3, "when": "yesterday",
                "expiration_date": "2099-01-01"}  # graphmem's own: when the memory leaves search, not its day
    assert len(metadata_dates(metadata)) == 3
    assert metadata_dates('{"date": "8 May, 2023"}') == [day(2023, 5, 8)]  # a store's JSON text
    assert metadata_dates("not json") == [] and metadata_dates(None) == [] and metadata_dates([1]) == []


def test_a_row_is_dated_within_a_window_its_date_meets() -> None:
    rows = [{"id": "a", "metadata": {"date": "8 May, 2023"}}, {"id": "b", "metadata": {"date": "3 June, 2023"}},
            {"id": "c", "metadata": None}]
    now = datetime(2024, 1, 1, tzinfo=UTC)
    may = Window(datetime(2023, 5, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC), "in May 2023")
    assert dated_within(may, rows, now) == {"a"}
    before_june = Window(None, datetime(2023, 6, 1, tzinfo=UTC), "before June 2023")
    assert dated_within(before_june, rows, now) == {"a"}
    since_may_9 = Window(datetime(2023, 5, 9, tzinfo=UTC), None, "since 9 May, 2023")
    assert dated_within(since_may_9, rows, now) == {"b"}
    due = [{"id": "d", "metadata": {"due_date": "2031-04-15"}}]
    assert dated_within(since_may_9, due, now) == set()  # "since" ends now: a date ahead is not since


def test_unix_seconds_or_milliseconds_under_a_time_key_are_their_instant() -> None:
    may_8 = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    for value in (may_8.timestamp(), int(may_8.timestamp()), may_8.timestamp() * 1000):
        (start, end), = metadata_dates({"timestamp": value})
        assert start == may_8 and (end - start).total_seconds() < 1
    for value in (3, 2023, 1e20, float("nan"), True):
        assert metadata_dates({"timestamp": value}) == []
    assert metadata_dates({"count": may_8.timestamp()}) == []
