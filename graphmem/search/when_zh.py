"""Chinese time cues for `when.time_window`: 昨天, 上週/上周, 上個月, 去年, 三天前, 5月2日, 2023年5月, 最近.

Traditional and Simplified forms are both matched (the character classes hold both). Chinese puts no
spaces between words, so these patterns have no word boundaries; they are specific enough without.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from graphmem.search import when

_Span = tuple[datetime, datetime] | None
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9, "十": 10, "几": 3, "幾": 3, "半": 0}
_NUMBER = r"(\d{1,3}|[一二两兩三四五六七八九十几幾]{1,3})"
_UNITS = {"天": "day", "日": "day", "周": "week", "週": "week", "星期": "week", "礼拜": "week", "禮拜": "week",
          "个月": "month", "個月": "month", "月": "month", "年": "year"}
_UNIT = r"(天|日|周|週|星期|礼拜|禮拜|个月|個月|年)"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_MARK = r"[日号號]"
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], datetime], _Span]]] = []


def number(text: str) -> int:
    """An Arabic or Chinese number up to 999: "3", "三", "十二", "二十"."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)


def _rule(pattern: str) -> Callable[[Callable[[re.Match[str], datetime], _Span]],
                                    Callable[[re.Match[str], datetime], _Span]]:
    def register(fn: Callable[[re.Match[str], datetime], _Span]) -> Callable[[re.Match[str], datetime], _Span]:
        RULES.append((re.compile(pattern), fn))
        return fn
    return register


@_rule(r"(\d{4})年(\d{1,2})月(\d{1,2})" + _DAY_MARK)
def _full_date(m: re.Match[str], now: datetime) -> _Span:
    return when._days(datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=timezone.utc))


@_rule(r"(\d{4})年(\d{1,2}|[一二三四五六七八九十]{1,2})月(?!\d{1,2}" + _DAY_MARK + ")")
def _year_month(m: re.Match[str], now: datetime) -> _Span:
    return when._month(int(m[1]), number(m[2]))


@_rule(r"(?<![\d年])(\d{1,2}|[一二三四五六七八九十]{1,2})月(\d{1,2}|[一二三四五六七八九十]{1,3})" + _DAY_MARK)
def _month_day(m: re.Match[str], now: datetime) -> _Span:
    month, day = number(m[1]), number(m[2])
    latest = now.year if (month, day) <= (now.month, now.day) else now.year - 1
    return when._days(datetime(latest, month, day, tzinfo=timezone.utc))


@_rule(r"(?<![\d年上下这這本个個])(\d{1,2}|十[一二]?|[一二三四五六七八九])月份?"
       r"(?![\d一二三四五六七八九十]|" + _DAY_MARK + ")")
def _month_alone(m: re.Match[str], now: datetime) -> _Span:
    month = number(m[1])
    return when._month(when._last_month_named(now, month), month) if 1 <= month <= 12 else None


@_rule(r"(?<!\d)(\d{4})年(?!\d|[一二三四五六七八九十]{1,2}月)")
def _year_alone(m: re.Match[str], now: datetime) -> _Span:
    return when._year(int(m[1]))


@_rule(r"前天|前日")
def _two_days_ago(m: re.Match[str], now: datetime) -> _Span:
    return when._days(now - timedelta(days=2))


@_rule(r"昨天|昨晚|昨日|昨夜")
def _yesterday(m: re.Match[str], now: datetime) -> _Span:
    return when._days(now - timedelta(days=1))


@_rule(r"今天|今晚|今日|今早|今天早上")
def _today(m: re.Match[str], now: datetime) -> _Span:
    return when._days(now)


@_rule(_NUMBER + r"\s*" + _UNIT + r"(?:之)?前")
def _units_ago(m: re.Match[str], now: datetime) -> _Span:
    count = number(m[1])
    return when._ago(now, count, _UNITS[m[2]]) if count else None


@_rule(r"(上|这|這|本)(?:一)?(?:个|個)?(星期|礼拜|禮拜|周|週|月)(?![一二三四五六日天])")
def _last_unit(m: re.Match[str], now: datetime) -> _Span:
    unit = "month" if m[2] == "月" else "week"
    return when._ago(now, 1 if m[1] == "上" else 0, unit)


@_rule(r"上(?:个|個)?(?:星期|礼拜|禮拜|周|週)([一二三四五六日天])")
def _last_weekday(m: re.Match[str], now: datetime) -> _Span:
    monday = when._day(now) - timedelta(days=now.weekday() + 7)
    return when._days(monday + timedelta(days=_WEEKDAY[m[1]]))


@_rule(r"(去年|前年|今年)")
def _named_year(m: re.Match[str], now: datetime) -> _Span:
    return when._year(now.year - {"去年": 1, "前年": 2, "今年": 0}[m[1]])


@_rule(r"最近|近来|近來|这阵子|這陣子|前阵子|前陣子")
def _recently(m: re.Match[str], now: datetime) -> _Span:
    return now - timedelta(days=when.RECENT_DAYS), now
