"""The local embedder's fast paths keep encode()'s vectors: one query, and texts batched by length."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from graphmem.config import MemoryConfig
from graphmem.providers.direct import INT8_COSINE, direct_encoder, length_groups, near, side_by_side
from graphmem.providers.embedders import _load_sentence_transformer, create_embedder
from graphmem.providers.onnx_forward import cores

MINILM = "all-MiniLM-L6-v2"  # the default is multilingual-e5-small: these are MiniLM's direct paths

TEXTS = ["What did Caroline research?", "Où Melanie a-t-elle peint ce lever de soleil ?", "東京で寿司を食べた",
         "word " * 400]  # the last is cut at the model's max_seq_length, as encode() cuts it


def test_the_direct_path_gives_encodes_vectors() -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    direct = direct_encoder(model)
    assert direct is not None
    for text in TEXTS:
        expected = model.encode([text], convert_to_numpy=True, show_progress_bar=False)[0]
        assert np.abs(direct.one(text) - expected).max() < 1e-5, text[:20]


def test_the_direct_path_batches_by_token_count_and_keeps_order_and_vectors() -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    direct = direct_encoder(model)
    assert direct is not None
    texts = [*TEXTS, "ok", "a much longer sentence about the weather in Paris last spring", "hi", "", "  "]
    expected = model.encode(texts, convert_to_numpy=True, show_progress_bar=False)
    for most in (1, 3, 32):
        got = direct.many(texts, most)
        assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-5, most


@pytest.fixture
def onnx_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder for the ONNX export (made on first use); skips without onnxruntime."""
    pytest.importorskip("onnxruntime", reason="onnxruntime is part of the local extra")
    monkeypatch.setenv("GRAPHMEM_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_single_texts_go_through_onnxruntime_with_encodes_vectors(onnx_cache: Path) -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    direct = direct_encoder(model)
    assert direct is not None and direct.runtime == "onnxruntime"
    assert len(list((onnx_cache / "onnx").glob("*.onnx"))) == 1  # exported once, kept for the next process
    for text in TEXTS:
        expected = model.encode([text], convert_to_numpy=True, show_progress_bar=False)[0]
        assert np.abs(direct.one(text) - expected).max() < 1e-5, text[:20]
    assert direct_encoder(model, onnx=False).runtime == "torch"  # type: ignore[union-attr]


@pytest.mark.usefixtures("onnx_cache")
def test_batches_run_side_by_side_in_onnxruntime_with_encodes_vectors() -> None:
    test_the_direct_path_batches_by_token_count_and_keeps_order_and_vectors()
    direct = direct_encoder(_load_sentence_transformer("all-MiniLM-L6-v2"))
    assert direct is not None and len(direct._batch_workers()) == (2 if cores() >= 2 else 0)


def test_int8_weights_are_quantised_once_and_give_vectors_near_encodes(onnx_cache: Path) -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    handlers = list(logging.getLogger().handlers)
    direct = direct_encoder(model, int8=True)
    assert direct is not None and direct.runtime == "onnxruntime int8"
    assert logging.getLogger().handlers == handlers  # the quantiser's logging left the application's alone
    assert sorted(p.name.count(".int8-") for p in (onnx_cache / "onnx").glob("*.onnx")) == [0, 1]
    texts = [*TEXTS, "ok", "a much longer sentence about the weather in Paris last spring", "hi"]
    expected = model.encode(texts, convert_to_numpy=True, show_progress_bar=False)
    assert near(np.stack([direct.one(t) for t in texts]), expected)
    for most in (1, 3, 32):  # side by side, and alone
        assert near(direct.many(texts, most), expected), most
    assert direct_encoder(model, int8=True).runtime == "onnxruntime int8"  # type: ignore[union-attr]
    assert len(list((onnx_cache / "onnx").glob("*.onnx"))) == 2  # the next load reuses both files


def test_near_needs_the_rows_mean_cosine() -> None:
    expected = np.eye(4, dtype=np.float32)
    assert near(expected * 2.0, expected)
    moved = expected.copy()
    moved[0, 1] = 0.3  # cosine 0.958: the mean of the four is 0.989
    assert near(moved, expected) and INT8_COSINE > 0.958
    many = np.eye(20, dtype=np.float32)
    far = many.copy()
    far[0, 1] = 0.6  # cosine 0.857: the mean of the twenty is 0.993, but one text is too far off
    assert not near(far, many)
    moved[1:, 0] = 0.3
    assert not near(moved, expected)
    assert not near(expected[:2], expected)


def test_side_by_side_keeps_the_batches_order() -> None:
    def worker(tag: float) -> Callable[[list[str]], NDArray[np.float32]]:
        return lambda batch: np.asarray([[len(t), tag] for t in batch], dtype=np.float32)

    batches = [["a"], ["bbbb", "cc"], ["dddddd"], ["e"] * 5]
    got = side_by_side([worker(1.0), worker(2.0)], batches)
    assert [m[:, 0].tolist() for m in got] == [[1], [4, 2], [6], [1] * 5]
    assert {float(t) for m in got for t in m[:, 1]} <= {1.0, 2.0}


def test_another_stack_falls_back_to_encode() -> None:
    class NotAStack(list[object]):
        tokenizer = None
        max_seq_length = 8

    assert direct_encoder(NotAStack([object(), object()])) is None


def test_the_embedders_query_vector_equals_its_batch_vector() -> None:
    embedder = create_embedder(MemoryConfig.parse({"embedder": {"provider": "local",
                                                                  "config": {"model": MINILM, "int8": False}}})
                               .embedder)

    async def both() -> tuple[list[float], list[float]]:
        return await embedder.embed_query(TEXTS[0]), (await embedder.embed_texts([TEXTS[0], TEXTS[1]]))[0]

    one, batched = asyncio.run(both())
    assert np.abs(np.asarray(one) - np.asarray(batched)).max() < 1e-5


def test_texts_batched_by_length_keep_their_order_and_vectors() -> None:
    model = _load_sentence_transformer("all-MiniLM-L6-v2")
    embedder = create_embedder(MemoryConfig.parse(
        {"embedder": {"provider": "local", "config": {"model": MINILM, "batch_size": 2, "int8": False}}}).embedder)
    texts = [*TEXTS, "ok", "a much longer sentence about the weather in Paris last spring", "hi"]
    got = np.asarray(asyncio.run(embedder.embed_texts(texts)))
    expected = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-5


def test_length_groups_batch_similar_lengths_up_to_the_size() -> None:
    assert length_groups([], 4, 1.5, 32) == []
    assert length_groups([10, 500, 12, 11, 400, 20], 4, 1.5, 32) == [[0, 3, 2, 5], [4, 1]]
    assert length_groups([100, 100, 100], 2, 1.5, 32) == [[0, 1], [2]]
    assert length_groups([40, 100], 8, 1.5, 32) == [[0], [1]]  # padding 40 to 100 is not worth it
    assert length_groups([10, 14], 8, 1.25, 12) == [[0], [1]]  # 14 > 12 and > 1.25 x 10
