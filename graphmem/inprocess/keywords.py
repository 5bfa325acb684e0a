"""BM25 over a scope's memories, in RAM: the keyword search of embedded stores.

The analyser is the usual English one of full-text engines (Kuzu's FTS default included):
lower case, word characters, English stop words out, Snowball (Porter 2) stems. Statistics
(document frequency, mean length) are the scope's own, so a small scope in a big store
is ranked by its own vocabulary.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.errors import MissingDependencyError
from graphmem.inprocess.cjk import cjk_terms, has_cjk, script_runs
from graphmem.pacing import paced

K1 = 1.2
B = 0.75
_TOKEN = re.compile(r"\w+", re.UNICODE)
ENGLISH_STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves s t don
""".split())


def _telling(frequency: int, live: int) -> bool:
    """Whether a term held by `frequency` of `live` rows says which rows are meant: in at most half of them (in a
    conversation a speaker's name is in most messages, and says nothing of what is asked)."""
    return frequency <= live / 2


_warmed: dict[str, tuple[str, ...]] = {}  # texts an add analysed before its write (see warm)
_warmed_by: dict[str, int] = {}  # how many adds warmed each
_warmed_lock = threading.Lock()


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer
    except ImportError:
        raise MissingDependencyError("keyword search needs PyStemmer: pip install PyStemmer") from None
    return Stemmer.Stemmer("english")


def analyse(text: str) -> list[str]:
    """The terms of a text: lower-cased words without stop words, stemmed; Chinese, Japanese and Korean
    runs as their words (see `graphmem.inprocess.cjk`), full-width forms folded (NFKC)."""
    return list(_analysed(text))


def warm(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """The texts' terms, analysed ahead of the commit that indexes them; `hold` them until the write is
    indexed, then `cool` them. The index then finds them made, so the segmentation (jieba: ~0.35 s for the
    3,779 memories of one 100,000-character Chinese message) is not done under the loaded scopes' lock, while
    other scopes' searches wait for it. (The cache below keeps only the last 256 texts.)"""
    return {text: _analysed(text) for text in paced(dict.fromkeys(texts))}


def hold(made: dict[str, tuple[str, ...]]) -> None:
    """Keep what `warm` made for the index until `cool` is given it (taken apart so that a cancelled warm-up,
    in its thread, holds nothing that no one lets go)."""
    with _warmed_lock:
        for text, terms in made.items():
            _warmed[text] = terms
            _warmed_by[text] = _warmed_by.get(text, 0) + 1


def cool(made: dict[str, tuple[str, ...]]) -> None:
    """Let go of what `warm` made (once the write that indexes the texts is done, or has failed)."""
    with _warmed_lock:
        for text in made:
            held = _warmed_by.pop(text, 1) - 1
            if held > 0:
                _warmed_by[text] = held  # another add warmed the same text and still writes
            else:
                _warmed.pop(text, None)


def _analysed(text: str) -> tuple[str, ...]:
    warmed = _warmed.get(text)
    return warmed if warmed is not None else _analysed_now(text)


@lru_cache(maxsize=256)
def _analysed_now(text: str) -> tuple[str, ...]:
    return tuple(_terms(text))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("_", " ")


def _terms(text: str) -> list[str]:
    text = _normal(text)
    if not has_cjk(text):
        words = [w for w in _TOKEN.findall(text) if w not in ENGLISH_STOP_WORDS]
        return list(_stemmer().stemWords(words)) if words else []
    terms: list[str] = []
    for run, cjk in paced(script_runs(text)):  # a long text: other threads need the GIL meanwhile
        if cjk:
            terms += cjk_terms(run)
        else:
            words = [w for w in _TOKEN.findall(run) if w not in ENGLISH_STOP_WORDS]
            terms += _stemmer().stemWords(words) if words else []
    return terms


# Many texts are analysed together (`_said`): their words found TEXTS_PER_STEP texts at a time in one pass over the
# texts joined by _SEPARATOR, whose word (upper case: no lower-cased text holds it) marks where each ends; a text
# with Chinese, Japanese or Korean is analysed alone, its terms marked _WHOLE (no word of _TOKEN holds it).
TEXTS_PER_STEP = 1024
_SEPARATOR, _END = " Q ", "Q"
_WHOLE = "\x00"
_ASCII_SPACES = {c: " " for c in range(128) if not _TOKEN.match(chr(c))}  # an ASCII text's words: then its split()


@dataclass(frozen=True)
class _Said:
    """Terms as many texts say them: each term said (a number, into `names`) and the text that says it."""

    names: list[str]
    terms: NDArray[np.int64]
    texts: NDArray[np.int64]


def _said(texts: Sequence[str]) -> _Said:
    """The terms of the texts as `analyse` makes them, with word by word work (stop words, stems) done once per
    distinct word: the 100,000 texts of a large scope's load took ~1.4 s one by one, mostly per word."""
    # Each distinct word's number, in order of first use: a word not numbered yet gets the next (its lookup does it,
    # in one pass over the words that never leaves C).
    words: defaultdict[str, int] = defaultdict()
    words.default_factory = words.__len__
    words[_END] = 0
    numbers, owners = [], []
    for start in paced(range(0, len(texts), TEXTS_PER_STEP)):
        step = texts[start:start + TEXTS_PER_STEP]
        found, alone = _words(step)
        number = np.fromiter(map(words.__getitem__, found), dtype=np.int64, count=len(found))
        ends = number == 0
        if int(ends.sum()) != len(step) - 1:
            raise AssertionError("a text held the separator's word")  # (none can: they are lower-cased)
        numbers += [number[~ends], np.array([words.setdefault(term, len(words)) for _, term in alone], np.int64)]
        owners += [np.cumsum(ends)[~ends] + start, np.array([i for i, _ in alone], dtype=np.int64) + start]
    term_of_word, names = _terms_of_words(list(words))
    terms = term_of_word[np.concatenate(numbers)] if numbers else np.zeros(0, dtype=np.int64)
    kept = terms >= 0
    return _Said(names, terms[kept], np.concatenate(owners)[kept] if owners else terms)


def _words(texts: Sequence[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """The words of the texts in order, the texts joined by _SEPARATOR (each text with CJK left empty), and the
    terms of those with CJK, marked _WHOLE, with their places among the texts."""
    normal = [_normal(text) for text in texts]
    joined = _SEPARATOR.join(normal)
    if joined.isascii():  # no text has CJK (the usual): none is looked at alone (~1 ms a step of 1,024 texts)
        return joined.translate(_ASCII_SPACES).split(), []  # (~3x faster than _TOKEN.findall)
    alone = [i for i, text in enumerate(normal) if has_cjk(text)]
    for i in alone:
        normal[i] = ""
    joined = _SEPARATOR.join(normal)
    words = joined.translate(_ASCII_SPACES).split() if joined.isascii() else _TOKEN.findall(joined)
    return words, [(i, _WHOLE + term) for i in alone for term in _analysed(texts[i])]


def _terms_of_words(words: list[str]) -> tuple[NDArray[np.int64], list[str]]:
    """Each word's term number (-1: a stop word, or _END) and the terms: stems, or a _WHOLE term's own text."""
    plain = [word for word in words if word[0] != _WHOLE and word not in ENGLISH_STOP_WORDS and word != _END]
    stems = dict(zip(plain, _stemmer().stemWords(plain) if plain else (), strict=True))
    numbers: dict[str, int] = {}
    found = [-1 if (term := word[1:] if word[0] == _WHOLE else stems.get(word)) is None
             else numbers.setdefault(term, len(numbers)) for word in words]
    return np.array(found, dtype=np.int64), list(numbers)


@dataclass(frozen=True)
class _Postings:
    """One query term's postings: row positions, term counts, which rows are live, how many are."""

    docs: NDArray[np.int32]
    counts: NDArray[np.float32]
    live: NDArray[np.bool_]
    frequency: int


class KeywordIndex:
    """Postings (document positions and term counts) per term, in compact arrays."""

    def __init__(self) -> None:
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        self._lengths: array[float] = array("f")
        self._alive = bytearray()
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._position)

    def add(self, rows: Iterable[tuple[str, str]]) -> None:
        """Index `(id, text)` pairs; an id already held (or given before) is left as it is."""
        fresh: dict[str, str] = {}
        for row_id, text in rows:
            if row_id not in self._position and row_id not in fresh:
                fresh[row_id] = text
        if not fresh:
            return
        start = len(self._ids)
        said = _said(list(fresh.values()))
        lengths = np.bincount(said.texts, minlength=len(fresh))  # each text's terms, stop words left out
        self._ids += fresh
        self._position.update(zip(fresh, range(start, start + len(fresh)), strict=True))
        self._lengths.frombytes(lengths.astype(np.float32).tobytes())
        self._alive += b"\x01" * len(fresh)
        self._total_length += float(lengths.sum())
        self._post(said, start)

    def _post(self, said: _Said, start: int) -> None:
        """Append each term's texts (positions from `start`, ascending) and counts to its postings."""
        span = len(self._ids) - start
        if not len(said.terms):
            return
        pairs, counts = np.unique(said.terms * span + said.texts, return_counts=True)
        terms, docs = np.divmod(pairs, span)  # sorted by term, then text: each term's postings in position order
        docs = (docs + start).astype(np.int32)
        counts = counts.astype(np.float32)
        cuts = [0, *(np.flatnonzero(np.diff(terms)) + 1).tolist(), len(pairs)]
        for first, end in paced(itertools.pairwise(cuts)):
            term = said.names[int(terms[first])]
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = (array("i"), array("f"))
            postings[0].frombytes(docs[first:end].tobytes())
            postings[1].frombytes(counts[first:end].tobytes())

    def remove(self, ids: Iterable[str]) -> None:
        for row_id in ids:
            position = self._position.pop(row_id, None)
            if position is not None:
                self._alive[position] = 0
                self._total_length -= self._lengths[position]

    def top(self, query: str, k: int) -> list[dict[str, Any]]:
        """Rows `{id, score}` with the k best BM25 scores above zero, best first.

        A term in more than half of the live rows is left out while the query has a rarer one: its
        Robertson-Spärck Jones weight is negative (BM25's +1 only keeps it positive), and in a
        conversation a speaker's name is in most messages, so ranking by it puts the shortest
        of them ("Jon: Thanks!") first.
        """
        live = len(self._position)
        terms = set(analyse(query))
        if k <= 0 or not live or not terms:
            return []
        alive = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        matched = [m for m in (self._matching(term, alive) for term in terms) if m is not None]
        telling = [m for m in matched if _telling(m.frequency, live)] or matched
        lengths = np.frombuffer(self._lengths, dtype=np.float32)
        mean_length = max(self._total_length / live, 1.0)
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for m in telling:
            idf = math.log((live - m.frequency + 0.5) / (m.frequency + 0.5) + 1.0)
            norm = K1 * (1.0 - B + B * lengths[m.docs] / mean_length)
            scores[m.docs] += m.live * (idf * m.counts * (K1 + 1.0) / (m.counts + norm))
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        return [{"id": self._ids[i], "score": float(scores[i])} for i in hits]

    def coverage(self, query: str) -> float:
        """The share of the query's telling terms that some live row holds (1.0 when it has none).

        Telling terms are those of at most half the live rows (`_telling`, as in `top`), and those of none. A question
        asked in other words than the conversation's ("What is Caroline's identity?") has terms that no
        message holds; its BM25 ranking is drawn from the rest alone, and says that much less.
        """
        live = len(self._position)
        terms = set(analyse(query))
        if not live or not terms:
            return 1.0
        alive = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        frequencies = [m.frequency if (m := self._matching(term, alive)) is not None else 0 for term in terms]
        telling = [f for f in frequencies if _telling(f, live)]
        return sum(1 for f in telling if f) / len(telling) if telling else 1.0

    def _matching(self, term: str, alive: NDArray[np.bool_]) -> _Postings | None:
        """The term's postings with which of them are live, or None when no live row has it."""
        postings = self._postings.get(term)
        if postings is None:
            return None
        docs = np.frombuffer(postings[0], dtype=np.int32)
        live = alive[docs]
        frequency = int(live.sum())
        if not frequency:
            return None
        return _Postings(docs, np.frombuffer(postings[1], dtype=np.float32), live, frequency)
