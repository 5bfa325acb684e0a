"""Keyword terms of Chinese, Japanese and Korean text, which has no spaces between words.

Chinese runs are segmented by jieba in its search mode (a long word and the words inside it:
中华人民共和国 gives 中华, 华人, 人民, 共和, 共和国 and itself), after folding Traditional
characters to Simplified, so that 披薩 finds 披萨 and the other way round. Kana and Hangul runs,
for which we ship no dictionary, are cut into overlapping character pairs (the usual fallback of
full-text engines: 서울에 gives 서울, 울에 and so still finds 서울). Frequent function words are
left out, as English stop words are.
"""

from __future__ import annotations

import re

from graphmem.ingest.chinese import simplified

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_RUNS = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+)")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[\u3040-\u30ff]+|[\uac00-\ud7af]+")
CHINESE_STOP_WORDS = frozenset("""
的 了 是 我 你 您 他 她 它 们 我们 你们 他们 她们 在 和 与 也 就 都 而 及 着 或 一个 没有 吗 嗎 呢 吧 啊 呀 这 那
这个 那个 有 很 会 要 说 对 把 被 让 给 不 还 又 个 我的 你的 他的 她的 吗 么 什么 怎么 哪 哪里 谁 之 其 得 地
""".split())


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def script_runs(text: str) -> list[tuple[str, bool]]:
    """The text cut into runs of CJK characters (True) and of everything else (False)."""
    return [(part, bool(_CJK.match(part))) for part in _RUNS.split(text) if part]


def cjk_terms(run: str) -> list[str]:
    """The terms of one run of CJK characters (Han, kana and Hangul may alternate inside it)."""
    terms: list[str] = []
    for piece in _HAN_RUN.findall(run):
        if "\u3040" <= piece[0] <= "\u30ff" or "\uac00" <= piece[0] <= "\ud7af":
            terms += _pairs(piece)
        else:
            terms += [w for w in _segment(simplified(piece)) if w not in CHINESE_STOP_WORDS]
    return terms


def _pairs(piece: str) -> list[str]:
    return [piece] if len(piece) < 3 else [piece[i:i + 2] for i in range(len(piece) - 1)]


def _segment(text: str) -> list[str]:
    from graphmem.ingest.chinese import search_words

    return search_words(text)
