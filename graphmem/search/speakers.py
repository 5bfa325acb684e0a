"""The query as its vector reads it: without the names of the conversation's speakers.

A question about someone in a conversation names them ("What does Melanie do to destress?"). To a small
embedder the name weighs as much as what is asked: multilingual-e5-small scores "Melanie: Hey Caroline! Missed
you." (0.845) above "Melanie: I've been running farther to de-stress" (0.828) for that question. A speaker's name
is in, or implied by, every message they said, so it tells the vectors nothing about which of their messages
answers; the keyword, named and speaker signals still read it from the whole query. Only speakers are left out:
a name the conversation mentions ("Luna", "周杰伦") is what the question is about.

Measured on LOCOMO dev (dense ranking alone, R@10 .710 -> .766; see bench/RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from graphmem.ingest.chinese import simplified
from graphmem.ingest.jieba_dict import jieba_ready, word_tags
from graphmem.ingest.languages import han_count
from graphmem.ingest.normalize import normalise_name
from graphmem.search.scan_terms import scan_terms
from graphmem.search.turns import named_as, speaker

# Past this, a name does not outweigh the rest of the query, and jieba's cut of it (Han names) costs ~20 ms per
# 1,000 characters.
MAX_STRIPPED_QUERY = 500
SAMPLED_MENTIONS = 32  # memories read per named entity to tell whether it speaks (its own messages mention it)


def speakers_among(names: Iterable[str], briefs: Iterable[Mapping[str, Any]]) -> set[str]:
    """The normalised `names` that say one of these memories (by their "Name: " prefix or their message's name,
    `actor_id`), in the forms `turns.named_as` reads them."""
    wanted = set(names)
    found: set[str] = set()
    for row in briefs:
        actor = row.get("actor_id")
        who = speaker(str(row.get("text") or "")) or (normalise_name(actor) if actor else None)
        if who:
            found |= named_as(who, wanted)
    return found


def without_names(query: str, names: Iterable[str]) -> str:
    """The query without these names (and a possessive "'s" after them); the query itself when what is left
    has no word to search by (`scan_terms`: "Who is Caroline?", "王磊是谁？"), or when it is longer than
    MAX_STRIPPED_QUERY characters."""
    forms = sorted({n for n in names if n}, key=len, reverse=True) if len(query) <= MAX_STRIPPED_QUERY else []
    spans = _latin_spans(query, [f for f in forms if not han_count(f)]) + _han_spans(query, [f for f in forms
                                                                                        if han_count(f)])
    if not spans:
        return query
    kept, end = [], 0
    for start, stop in sorted(spans):
        if start >= end:
            kept.append(query[end:start])
            end = stop
    left = " ".join(" ".join([*kept, query[end:]]).split())
    return left if scan_terms(left) else query


def _latin_spans(query: str, forms: list[str]) -> list[tuple[int, int]]:
    """Where these names stand as whole words; a first name followed by another capitalised word is someone
    else's name ("Jon" of the speaker Jon Baker in "Jon Snow") and stays."""
    if not forms:
        return []
    alternatives = "|".join(re.escape(form) for form in forms)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)(?![ \t]+(?-i:[A-Z]))(?:['’]s\b)?", re.IGNORECASE)
    return [found.span() for found in pattern.finditer(query)]


def _han_spans(query: str, forms: list[str]) -> list[tuple[int, int]]:
    """Where these names stand in the query, unless inside a longer dictionary word as jieba cuts it ("国庆" in
    "国庆节", "张伟" across "主张伟大"): Han text has no spaces, and jieba joins an unknown name to what follows
    it ("佳颖养的猫"), so only a word it knows tells a name apart from the text around it."""
    if not forms:
        return []
    key = simplified(query)
    key = key if len(key) == len(query) else query
    known, cut, position = word_tags(), [], 0
    for word in jieba_ready().lcut(key):
        cut.append((position, position + len(word), word in known))
        position += len(word)
    spans = []
    for form in forms:
        for found in re.finditer(re.escape(simplified(form)), key):
            start, end = found.span()
            if not any(known_word and a < end and b > start and (a < start or b > end) for a, b, known_word in cut):
                spans.append((start, end))
    return spans
