"""What a stored message's form says about it as an answer: who says it, and whether it only asks.

Memories added with `infer=False` are messages ("Caroline: I went to a support
group"). Two cheap readings of a message rank them better than its words alone:

- A message that ends in a question asks rather than tells. It matches a question's
  words and form best of all, yet the answer is in the reply (which the
  conversation-context lift already raises), so its own score is discounted.
- A question about someone is answered by what they said. When the query names
  the speaker of some of the best hits, the messages of the other speakers are
  discounted (those of a speaker the query also names are not).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping

from graphmem.ingest.normalize import normalise_name
from graphmem.ingest.offline_rules import split_speaker


def asks(text: str) -> bool:
    """Whether the message ends in a question, trailing bracketed notes ("[shares a photo: ...]") aside."""
    text = text.rstrip()
    while text.endswith("]") and "[" in text:  # (a search per call cost ~7 µs a text; this ~1 µs)
        text = text[:text.rindex("[")].rstrip()
    return text.endswith("?")


CACHED_TEXT = 512  # speakers of messages up to this long are cached (see speaker)


def _speaker(text: str) -> str | None:
    name, _ = split_speaker(text)
    return normalise_name(name) if name else None


_cached_speaker = functools.lru_cache(maxsize=8192)(_speaker)


def speaker(text: str) -> str | None:
    """The normalised name of a "Name: ..." message's speaker, or None. Cached for messages of up to
    CACHED_TEXT characters: a search reads the speakers of a hundred candidates, most of them the last
    search's too (~5 µs a text otherwise); a cache of long documents would hold megabytes alive."""
    return _cached_speaker(text) if len(text) <= CACHED_TEXT else _speaker(text)


def named_as(who: str, named: Collection[str]) -> set[str]:
    """The forms of a speaker's normalised name that are among `named`: a speaker is named by their whole name
    or its first word ("Jon" for "Jon Baker")."""
    return {form for form in (who, who.split()[0]) if form in named}


def discounted(scores: Mapping[str, float], texts: Mapping[str, str], named: Collection[str],
               question_weight: float, other_speaker_weight: float) -> dict[str, float]:
    """Scores of the memories in `texts` multiplied by `question_weight` if they ask and by
    `other_speaker_weight` if their speaker is not among the `named` ones while another speaker is.

    `named` holds the normalised names the query could name (see normalize.name_candidates), a speaker
    named as `named_as` reads them.
    """
    speakers = {mid: speaker(text) for mid, text in texts.items()}
    asked_about = {s for s in speakers.values() if s is not None and named_as(s, named)}
    result = dict(scores)
    for mid, text in texts.items():
        if mid not in result:
            continue
        if asks(text):
            result[mid] *= question_weight
        if asked_about and speakers[mid] is not None and speakers[mid] not in asked_about:
            result[mid] *= other_speaker_weight
    return result
