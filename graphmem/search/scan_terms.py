"""The words a keyword scan looks for in memory texts, for the Bolt engines without a usable full-text
index (cypher/common/memory/fulltext.cypher matches them with CONTAINS on the lower-cased text).

Latin-script words are lower-cased, stop words and words under three letters left out, and cut to a
crude stem (four letters, or all but the last three of a long word) so that "working" finds "works".
Chinese, Japanese and Korean have no spaces: their runs become jieba's search-mode words as written
(Traditional stays Traditional, as a memory in Traditional is stored) and their Simplified forms, and
kana/Hangul runs overlapping character pairs, as the in-process keyword index cuts them.
"""

from __future__ import annotations

import re
import unicodedata

from graphmem.ingest.languages import HAN_RUN
from graphmem.inprocess.cjk import CHINESE_STOP_WORDS, cjk_terms, script_runs
from graphmem.inprocess.keywords import ENGLISH_STOP_WORDS

_WORD = re.compile(r"\w+", re.UNICODE)


def scan_terms(query: str) -> list[str]:
    text = unicodedata.normalize("NFKC", query).lower()
    terms: list[str] = []
    for run, cjk in script_runs(text):
        if cjk:
            terms += _written_and_simplified(run)
        else:
            terms += [_stem(w) for w in _WORD.findall(run.replace("_", " "))
                      if len(w) > 2 and w not in ENGLISH_STOP_WORDS]
    return list(dict.fromkeys(terms))


def _stem(word: str) -> str:
    return word[:-3] if len(word) > 7 else word[:4] if len(word) > 4 else word


def _written_and_simplified(run: str) -> list[str]:
    from graphmem.ingest.chinese import search_words, simplified

    folded = cjk_terms(run)  # Simplified, stop words out
    written = [w for piece in HAN_RUN.findall(run) for w in search_words(piece)
               if simplified(w) not in CHINESE_STOP_WORDS]
    return [w for w in written + folded if len(w) > 1 or HAN_RUN.fullmatch(w)]
