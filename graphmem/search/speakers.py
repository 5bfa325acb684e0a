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

from graphmem.ingest.languages import han_count
from graphmem.ingest.normalize import normalise_name
from graphmem.search.turns import speaker

SAMPLED_MENTIONS = 32  # memories read per named entity to tell whether it speaks (its own messages mention it)
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def speakers_among(names: Iterable[str], briefs: Iterable[Mapping[str, Any]]) -> set[str]:
    """The normalised `names` that say one of these memories: by their "Name: " prefix or their message's name
    (`actor_id`); a speaker is named by their whole name or its first word ("Jon" for "Jon Baker")."""
    wanted = set(names)
    found: set[str] = set()
    for row in briefs:
        actor = row.get("actor_id")
        who = speaker(str(row.get("text") or "")) or (normalise_name(actor) if actor else None)
        if who:
            found |= {form for form in (who, who.split()[0]) if form in wanted}
    return found


def without_names(query: str, names: Iterable[str]) -> str:
    """The query without these names (and a possessive "'s" after them); the query itself when what is left
    says too little to search by (fewer than two words of three letters, or two Han characters)."""
    forms = sorted({n for n in names if n}, key=len, reverse=True)
    if not forms:
        return query
    # A Latin name ends at a word boundary; Han text has none, so a Han name is taken wherever it stands.
    latin = "|".join(re.escape(form) for form in forms if not han_count(form))
    han = "|".join(re.escape(form) for form in forms if han_count(form))
    spelled = [f"(?<!\\w)(?:{latin})(?!\\w)"] * bool(latin) + [f"(?:{han})"] * bool(han)
    pattern = re.compile(f"(?:{'|'.join(spelled)})(?:['’]s\\b)?", re.IGNORECASE)
    left = " ".join(pattern.sub(" ", query).split())
    if left == " ".join(query.split()):
        return query
    says_enough = len(_CONTENT_WORD.findall(left)) >= 2 or han_count(left) >= 2
    return left if says_enough else query
