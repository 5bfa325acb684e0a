"""A memory's sentences, embedded beside the memory itself: what a question asks often sits in one
sentence of a longer message, and the whole message's vector dilutes it.

LOCOMO turns ("Last year I took a solo trip and took this pic in Spain. It reminded me that life is
hard...") answer "What European countries has Maria been to?" through one sentence. Scored by the
best of the message's vector and its sentences' (multilingual-e5-small, dense ranking alone, two dev
conversations): recall at 10 0.54 -> 0.60 and 0.52 -> 0.60, multi-hop 0.38 -> 0.54 on one of them.

A part needs 3 English words or 8 Han characters: shorter Chinese sentences (4 characters) matched
too many questions and lowered recall on the Chinese companion chats. A message of one sentence has
no parts; at most MAX_PARTS sentences are kept (a long document's first ones: the work of an add
stays bounded). A "Speaker: " prefix is repeated on each part, as the message's own vector reads it.

The memory's own vector is then read with its sentences' (`blended`): the unit sum of the whole text's
vector and PART_BLEND times the unit mean of its sentences'. The whole message's vector is pulled towards
what its sentences say one by one, which a long message's mean pooling blurs. The whole search, one run
(bench/RESULTS.md, session 14): LOCOMO dev 1-4 R@5 .754 -> .764, R@10 .835 -> .837; our held-out chats
(bench/chats) R@5 .615 -> .643, multi-hop R@10 .537 -> .565; the companion chats as they were (within one
question). A memory of one sentence keeps its own vector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graphmem.ingest.languages import has_han
from graphmem.inprocess.vectors import unit_rows
from graphmem.providers.embedders import Embedder, Vector

MAX_PARTS = 8
_LATIN_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_HAN_END = re.compile(r"(?<=[。！？!?；;])\s*")
_SPEAKER = re.compile(r"^([^\s:：]{1,30}(?: [^\s:：]{1,30}){0,2})[:：] ")
_MIN_WORDS = 3
_MIN_HAN = 8  # Han characters, about as much as 3 English words (4 lowered Chinese chat recall: 0.917 -> 0.901)
# How much the sentences' mean weighs in a memory's own vector: 0.5 and 1 were as good on LOCOMO and the chats
# (2 lowered the Chinese companion chats: .952 -> .934).
PART_BLEND = 0.5


def sentence_parts(text: str) -> list[str]:
    """The sentences of a memory worth their own vector, or [] when it has fewer than two."""
    speaker = _SPEAKER.match(text)
    prefix, body = (speaker.group(0), text[speaker.end():]) if speaker else ("", text)
    han = has_han(body)
    pieces = [p.strip() for p in (_HAN_END if han else _LATIN_END).split(body)]
    kept = [p for p in pieces if (sum(1 for c in p if "\u4e00" <= c <= "\u9fff") >= _MIN_HAN if han
                                  else len(p.split()) >= _MIN_WORDS)]
    if len(kept) < 2:
        return []
    return [prefix + p for p in kept[:MAX_PARTS]]


def blended(own: Vector, parts: Sequence[Vector]) -> Vector:
    """A memory's own vector read with its sentences' (see the module's docstring); `own` when it has none."""
    if not parts:
        return own
    whole, mean = unit_rows(np.asarray([own, np.sum(np.asarray(parts, dtype=np.float32), axis=0)],
                                       dtype=np.float32))
    [row] = unit_rows((whole + PART_BLEND * mean)[None, :])
    return [float(x) for x in row]


def kept_parts(dialect: str, parts: list[Vector]) -> list[Vector]:
    """The sentences' vectors a store keeps beside a memory: Kuzu's loaded scopes search them; the Bolt stores
    search their engine's index of the memories' own vectors, which are blended with them all the same."""
    return parts if dialect == "kuzu" else []


@dataclass(frozen=True)
class Embedded:
    texts: list[Vector]  # one per text, read with its sentences' (`blended`)
    names: list[Vector]  # one per name
    parts: list[list[Vector]]  # per text, its sentences' vectors ([] when it has no parts)
    contexts: list[Vector | None]  # per text, its context's vector (ingest/context.py), None without one


async def embed_with_parts(embedder: Embedder, texts: Sequence[str], names: Sequence[str],
                           sentence_vectors: bool, contexts: Sequence[str | None] = ()) -> Embedded:
    """The texts, the names, (with `sentence_vectors`) each text's sentence parts and each text's context
    text (`contexts`, None where it has none), in one batch."""
    part_texts = [sentence_parts(t) if sentence_vectors else [] for t in texts]
    context_texts = [c for c in contexts if c]
    vectors = await embedder.embed_texts([*texts, *names, *(p for parts in part_texts for p in parts),
                                          *context_texts])
    start, parts = len(texts) + len(names), []
    for of_text in part_texts:
        parts.append(vectors[start:start + len(of_text)])
        start += len(of_text)
    lent = iter(vectors[start:])
    embedded_contexts = [next(lent) if c else None for c in contexts] or [None] * len(texts)
    own = [blended(vector, of_text) for vector, of_text in zip(vectors[:len(texts)], parts, strict=True)]
    return Embedded(own, vectors[len(texts):len(texts) + len(names)], parts, embedded_contexts)
