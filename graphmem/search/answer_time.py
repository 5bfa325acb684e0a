"""A question that asks when is answered by a message that names a time.

"When did Melanie sign up for a pottery class?" is answered by "I just signed up for a pottery class
yesterday", not by the three other messages about pottery. Of the evidence of the questions that ask when
(When…, How long…, In which month…, 什么时候, 哪一天, 多久…), 82% of LOCOMO's and 76-79% of the companion chats'
messages name a time (yesterday, last week, for 4 years, in May, 上个月, 去年…), against 14% and 23% of all
messages. So for such a question the best hits that name no time keep `untimed_weight` of their score
(search_config; bench/RESULTS.md, sessions 12 and 15). English and Chinese; other languages are left as they
are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graphmem.ingest.languages import HAN_RUN

_SEVERAL = r"(?:\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few|several)"
_COUNT = rf"(?:{_SEVERAL}|a|an|one|couple of|few)"  # also a / one / few: a time only beside a cue ("a week ago")
_UNIT = r"(?:minute|hour|day|night|week|weekend|month|year|decade|summer|winter)s?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_WEEKDAY_SHORT_PLAIN = r"(?:mon|tue|tues|thu|thur|thurs|fri)"  # after this / on: not "this sun", "on sat TV"
_WEEKDAY_SHORT = rf"(?:{_WEEKDAY_SHORT_PLAIN}|wed|sat|sun)"  # "last Fri": any of them after last / next
_NOT_A_DAY = r"(?:floor|attempt|try|round|row|place|grade|level|step|page|chapter|lap|seat|shot|pick|storey)"
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
_MONTH = (r"(?:january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|"
          r"apr|jun|jul|aug|sep|sept|oct|nov|dec)")  # "may" is left out: mostly the verb
_ENGLISH_TIME = re.compile(r"\b(?:" + "|".join([
    r"yesterday|today|tonight|tomorrow|recently|lately|nowadays|ago",
    rf"(?:last|next|this|past|coming|previous|following|upcoming|other) (?:{_UNIT}|{_WEEKDAY}|{_SEASON}|time|morning|"
    r"evening|afternoon|night|day)",
    rf"{_COUNT} {_UNIT} (?:ago|before|earlier|later|back|from now)",
    rf"(?:for|in|over|about|around|almost|nearly) (?:the )?(?:past |last )?{_COUNT} {_UNIT}",
    rf"since (?:{_COUNT}|then|last|{_MONTH}|(?:19|20)\d\d|i was|we were|childhood|college|high school)",
    rf"on {_WEEKDAY}", rf"(?:last|next) {_WEEKDAY_SHORT}", rf"(?:this|on) {_WEEKDAY_SHORT_PLAIN}", r"(?:19|20)\d\d",
    rf"{_SEVERAL} {_UNIT}(?! old)",  # a duration ("six weeks in a cast", "seven years now"), not an age
    rf"(?:on|by|until|till|from|since|{_WEEKDAY}) the (?:[12]?\d|3[01])(?:st|nd|rd|th)\b(?! {_NOT_A_DAY}\b)",
    # "on the 25th", "Friday the 19th"; not "on the 3rd floor"
    rf"{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?\b",
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}",
    rf"(?:in|since|during|last|this|next|early|late|mid) {_MONTH}", rf"(?:in|during|since|every) (?:the )?{_SEASON}",
    r"the other day|a while (?:ago|back)|back then|years? back|when i was (?:a kid|little|young|\d+)",
    r"(?:in|since|during|last|next|early|late|mid) may|may \d{1,2}(?:st|nd|rd|th)?",  # May, not "this may be"
    r"\d{1,2}:\d\d|\d{1,2} ?(?:am|pm)|o'clock|noon|midnight",  # "What time…?" asks for the clock
    r"birthday|anniversary|christmas|thanksgiving|easter|halloween|new year",
]) + r")\b")  # matched against the lower-cased text: ~4x faster than IGNORECASE
_CHINESE_COUNT = r"[0-9一二三四五六七八九十两兩几幾半]{1,4}"  # bounded: a long run of digits stays linear
_CHINESE_TIME = re.compile("|".join([
    r"昨天|昨晚|前天|今天|今晚|明天|后天|後天|刚才|剛才|最近|近来|近來|那天|当时|當時|以前|之前|后来|後來",
    r"上周|上週|上星期|上礼拜|上禮拜|下周|下週|下星期|这周|這週|本周|本週|这个月|這個月|上个月|上個月|下个月|下個月",
    r"去年|前年|今年|明年|后年|後年|年初|年底|年前|年后|年後",
    _CHINESE_COUNT + r"(?:天|日|周|週|个星期|個星期|个礼拜|個禮拜|个月|個月|年)(?:前|后|後|以前|以后|以後|了|多)",
    r"\d{1,2}月|[一二三四五六七八九十]{1,3}月|\d{1,2}[日号號]|[一二三四五六七八九十]{1,3}[号號]",
    r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|禮拜[一二三四五六日天]|周[一二三四五六日]|週[一二三四五六日]|周末|週末",
    r"春节|春節|国庆|國慶|中秋|元旦|圣诞|聖誕|端午|清明|除夕|生日|纪念日|紀念日",
    r"(?:19|20)\d\d年?",
]))
_PERIOD = r"(?:date|day|time|year|month|week|weekend|season)(?!-)"  # not "What time-management tips…"
_ENGLISH_WHEN = re.compile(
    rf"^\W*(?:(?:and|so|but|then|ok|okay)\W+)?(?:(?:(?:around|about|approximately|roughly|by|until|till) )?when\b|"
    rf"since when|what {_PERIOD}\b|"
    r"which (?:date|day|year|month|week|weekend|season)\b|"
    rf"(?:in|on|during|at|by) (?:what|which) {_PERIOD}\b|how long\b|how many (?:years|months|weeks|days|hours)\b)",
    re.IGNORECASE)  # not "How old…?" / "What age…?": an age names no time
_CHINESE_WHEN = re.compile(r"什么时候|什麼時候|何时|何時|哪天|哪一天|哪年|哪一年|几月|幾月|哪个月|哪個月|"
                           r"哪一个月|哪一個月|几号|幾號|多久|多长时间|多長時間|哪个星期|哪個星期|"
                           r"几年前|幾年前|几年了|幾年了")  # not 这几年 (these few years), 几年级 (which grade)


def asks_when(query: str) -> bool:
    """Whether the question asks when something happened, or how long ago or for how long."""
    return bool(_ENGLISH_WHEN.search(query) or _CHINESE_WHEN.search(query))


_CAPITAL_DAY = re.compile(r"\b(?:[Oo]n|[Tt]his) (?:Wed|Sat|Sun)\b")  # "on Sat", as written: not "on sat TV"


def names_time(text: str) -> bool:
    """Whether the message names a time: a date, a weekday, "last week", "two years ago", 上个月…"""
    return bool(_ENGLISH_TIME.search(text.lower()) or _CAPITAL_DAY.search(text)
                or (HAN_RUN.search(text) and _CHINESE_TIME.search(text)))


def untimed_discounted(scores: Mapping[str, float], texts: Mapping[str, str], weight: float) -> dict[str, float]:
    """The scores with those of the memories in `texts` that name no time multiplied by `weight`."""
    result = dict(scores)
    for memory_id, text in texts.items():
        if memory_id in result and not names_time(text):
            result[memory_id] *= weight
    return result
