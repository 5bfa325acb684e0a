"""spaCy on long messages without stalling the process's other users.

spaCy runs each pipeline step over a whole Doc in compiled code that holds the GIL: on one 50,000
character Doc another thread waited 169 ms at a time. A message longer than LONG is parsed as pieces of
~PIECE characters cut after a sentence's end, one at a time (`graphmem.pacing` between them: 7 ms at
most), and the pieces' Docs are joined back into one Doc of the same text (`Doc.from_docs` keeps the
sentences, entities and parse). A batch of short messages is parsed as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graphmem.pacing import paced, pieces

if TYPE_CHECKING:
    from spacy.tokens import Doc

LONG = 2000  # characters
PIECE = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def parse(nlp: Any, texts: Sequence[str], batch_size: int, disable: list[str]) -> list[Doc]:
    """One Doc per text, as `nlp.pipe(texts)` gives, long texts parsed piece by piece."""
    if all(len(text) <= LONG for text in texts):
        return list(nlp.pipe(texts, batch_size=batch_size, disable=disable))
    from spacy.tokens import Doc

    cut = [list(pieces(text, PIECE, _SENTENCE_END)) for text in texts]
    parsed = iter(paced(nlp.pipe([p for parts in cut for p in parts], batch_size=1, disable=disable)))
    docs = []
    for parts in cut:
        part_docs = [next(parsed) for _ in parts]
        docs.append(part_docs[0] if len(part_docs) == 1 else Doc.from_docs(part_docs, ensure_whitespace=False))
    return docs
