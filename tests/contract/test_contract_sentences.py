"""A memory of several sentences is stored read with them on every backend (ingest/parts.py): its own vector
is the whole text's blended with its sentences' mean. Only Kuzu keeps the sentences' vectors beside it (its
loaded scopes search them); the Bolt stores search their engine's index of the memories' own vectors."""

from __future__ import annotations

import asyncio

import numpy as np

from graphmem import Memory
from graphmem.config import HashEmbedder
from graphmem.ingest.parts import blended, sentence_parts
from graphmem.providers.embedders import create_embedder

LONG = "Bob adopted a grey cat named Pixel. Then the weather turned cold and the market closed early."


def test_the_stored_vector_is_read_with_the_sentences(mem: Memory) -> None:
    mem.add(LONG, user_id="u", infer=False)
    [stored] = mem.export(user_id="u", embeddings=True)["memories"]
    own, *parts = asyncio.run(create_embedder(HashEmbedder()).embed_texts([LONG, *sentence_parts(LONG)]))
    assert len(parts) == 2
    assert np.allclose(stored["embedding"], blended(own, parts), atol=1e-5)
    assert not np.allclose(stored["embedding"], own, atol=1e-3)
    assert bool(stored.get("parts")) == (mem.config.graph_store.provider == "kuzu")
