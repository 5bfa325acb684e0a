"""Pseudo-relevance feedback: words the best first-round hits share, for a second keyword query.

Multi-hop questions name one side of a link ("where did she move from?") and
the evidence names the other ("my home country, Sweden"); the top hits of the
first round often carry the bridging words ("home country").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from graphmem.inprocess.cjk import cjk_terms, script_runs

_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_SPEAKER = re.compile(r"^\s*[\w .'-]{1,40}:\s")
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few
for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most
much my myself no nor not now of off on once only or other ought our ours ourselves out over own really same she
she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up us very was wasn't we
we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's
will with won't would wouldn't yeah yes you you'd you'll you're you've your yours yourself yourselves wow hey hi
thanks thank great awesome cool glad sounds sure love totally amazing definitely always never lot lots things thing
one ever even still well make made going know think feel felt time really super
""".split())


def content_words(text: str) -> list[str]:
    """Lower-cased words of a memory worth matching on, without a leading "Speaker: " tag. A run of
    Chinese, Japanese or Korean is its words (as keyword search cuts it), not one long "word" that
    would only find the memory it came from again."""
    body = _SPEAKER.sub("", text, count=1)
    words: list[str] = []
    for run, cjk in script_runs(body):
        if cjk:
            words += [w for w in cjk_terms(run) if len(w) > 1]
        else:
            words += [w for w in (m.lower() for m in _WORD.findall(run)) if len(w) > 3 and w not in STOP_WORDS]
    return words


def feedback_terms(query: str, texts: Sequence[str], limit: int = 8) -> list[str]:
    """Words the top texts use most (document frequency first), that the query does not already have."""
    asked = {w.lower() for w in _WORD.findall(query)}
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update(set(content_words(text)) - asked)
    ranked = sorted(frequency, key=lambda w: (-frequency[w], w))
    return ranked[:limit]
