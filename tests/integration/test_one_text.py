"""A search's single query skips encode()'s overhead only where the vector stays the same."""

from __future__ import annotations

import asyncio

import numpy as np

from graphmem.config import MemoryConfig
from graphmem.providers.embedders import _load_sentence_transformer, create_embedder
from graphmem.providers.one_text import direct_encoder

TEXTS = ["What did Caroline research?", "Où Melanie a-t-elle peint ce lever de soleil ?", "東京で寿司を食べた",
         "word " * 400]  # the last is cut at the model's max_seq_length, as encode() cuts it


def test_the_direct_path_gives_encodes_vectors() -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    encode = direct_encoder(model)
    assert encode is not None
    for text in TEXTS:
        expected = model.encode([text], convert_to_numpy=True, show_progress_bar=False)[0]
        assert np.abs(encode(text) - expected).max() < 1e-5, text[:20]


def test_another_stack_falls_back_to_encode() -> None:
    class NotAStack(list[object]):
        tokenizer = None
        max_seq_length = 8

    assert direct_encoder(NotAStack([object(), object()])) is None


def test_the_embedders_query_vector_equals_its_batch_vector() -> None:
    embedder = create_embedder(MemoryConfig.parse({"embedder": {"provider": "local"}}).embedder)

    async def both() -> tuple[list[float], list[float]]:
        return await embedder.embed_query(TEXTS[0]), (await embedder.embed_texts([TEXTS[0], TEXTS[1]]))[0]

    one, batched = asyncio.run(both())
    assert np.abs(np.asarray(one) - np.asarray(batched)).max() < 1e-5
