"""Text normalisation shared by the write and read paths."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from graphmem.ingest.languages import HAN_RUN

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_HAN_NAME = 4  # characters: Chinese personal and place names are two to four
MAX_CACHED_TEXT = 20_000


def normalise_name(name: str) -> str:
    """The matching key of an entity name: NFKC, case-folded, single spaces, no edge punctuation."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _SPACE.sub(" ", _EDGE_PUNCT.sub("", text)).strip()


def memory_hash(text: str) -> str:
    """mem0's memory hash: md5 of the text."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def name_candidates(text: str, max_len: int = 3) -> list[str]:
    """Normalised word n-grams (1..max_len) of a text: what an entity name in it could be. Han text has no
    spaces between its words, so its runs give every stretch of 2..MAX_HAN_NAME characters ("王磊喜欢什么" ->
    "王磊", ...)."""
    # One search reads its query's candidates up to four times (~9 ms each for 20,000 Han characters); a longer
    # text's are not kept (a 100,000-character Chinese query has ~250,000).
    found = _recent_candidates(text, max_len) if len(text) <= MAX_CACHED_TEXT else _name_candidates(text, max_len)
    return list(found)


def _name_candidates(text: str, max_len: int) -> tuple[str, ...]:
    tokens = [normalise_name(w) for w in words(text)]
    tokens = [t for t in tokens if t]
    grams = {" ".join(tokens[i:i + n]) for n in range(1, max_len + 1) for i in range(len(tokens) - n + 1)}
    for run in HAN_RUN.findall(text):
        grams.update(run[i:i + n] for n in range(2, MAX_HAN_NAME + 1) for i in range(len(run) - n + 1))
    return tuple(sorted(grams))


_recent_candidates = lru_cache(maxsize=4)(_name_candidates)
