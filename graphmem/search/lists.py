"""List questions: the kind of thing asked for, searched on its own ("What European countries has Maria been
to?" -> "European countries").

The items of a list question share no words with it (the evidence says "a trip to England", "this pic in
Spain"), and the whole question's vector is mostly its person and verb. The head noun phrase alone,
embedded as a query, ranks the sentences that name an instance of it (multilingual-e5-small, LOCOMO dev,
multi-hop list questions: 16 of the 63 evidence turns that the fused ranking left out of its top 10 were in
the top 10 of the named speaker's turns by the head phrase alone). A question that says more than the kind
("What kind of dance piece did Gina's team perform to win first place?") gets the ranking at a lower weight
(`search.list_loose_weight`): the kind is then a part of what it asks. English question shapes only: a query of
another shape costs nothing.
"""

from __future__ import annotations

import re

from graphmem.search.feedback import STOP_WORDS
from graphmem.search.turns import named_as, speaker

MAX_HEAD_WORDS = 5
# The head is at most MAX_HEAD_WORDS words, matched in a query whose spaces are single: an unbounded head over a
# 20,000-character query with a long run of spaces backtracked for 16 s (quadratic), on the event loop.
_SHAPE = re.compile(r"^(?:what|which) (?P<head>[^?\s]+(?: [^?\s]+){0,%s}?)" % (MAX_HEAD_WORDS - 1)
                    + r" (?:has|have|had|did|does|do|is|are|was|were) (?P<rest>\w[^?]*)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
# A "head" that starts with one of these is the question's verb or subject, not a kind of thing
# ("What does Melanie do", "What are some changes"), or a time ("What year did ...": the time signal's).
_NOT_A_HEAD = frozenset("""a an the is are was were has have had do does did can could will would should i you he she
it we they my your his her our their this that these those some time year month week day date hour""".split())


def list_question(query: str) -> tuple[str, int] | None:
    """The kind of thing a "What/Which <kind> has/did/... <someone> ...?" question asks for, and how many content
    words the rest of it says (words of three letters or more, names and stop words aside), or None: "What
    martial arts has John done?" -> ("martial arts", 1); "What activity did Melanie used to do with her dad?" ->
    ("activity", 2), a question about her dad as much as about any activity."""
    found = _SHAPE.match(" ".join(query.split()))
    if found is None:
        return None
    head = found.group("head").strip()
    words = head.split()
    if not words or len(words) > MAX_HEAD_WORDS or words[0].lower() in _NOT_A_HEAD:
        return None
    rest = [w for w in _WORD.findall(found.group("rest"))
            if len(w) > 2 and not w[0].isupper() and w.lower() not in STOP_WORDS]
    return head, len(rest)


def list_share(rest: int, max_rest: int, loose: float) -> float:
    """The share of the list signal's weight for a list question whose rest says `rest` content words: all of it
    up to `max_rest`, `loose` beyond (the kind is then one part of what is asked, not the whole of it)."""
    return 1.0 if rest <= max_rest else loose


def of_named_speakers(ids: list[str], texts: dict[str, str], named: set[str]) -> list[str]:
    """The ids whose "Name: ..." speaker the query names, when some are; else all of them."""
    spoken = [mid for mid in ids if (who := speaker(texts.get(mid, ""))) is not None
              and named_as(who, named)]
    return spoken or ids
