"""Rerankers: reorder a search's best fused results by (query, memory text) relevance.

    {"reranker": {"provider": "sentence_transformer", "config": {"model": "/path/to/cross-encoder"}}}
    {"reranker": {"provider": "cohere", "config": {"model": "rerank-v3.5"}}}          # COHERE_API_KEY
    {"reranker": {"provider": "http", "config": {"base_url": "http://localhost:8000/v1", "model": "..."}}}

A reranker only orders: `score` stays the fused score (in [0, 1], what `threshold`
filters on), and each reranked result gets the reranker's `rerank_score`. A
reranker that fails at search time (HTTP error, timeout, a model that cannot
be loaded) costs a logged warning and the fused order, never an exception, as
in mem0.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from graphmem.config import Reranker as RerankerConfig
from graphmem.config import SentenceTransformerReranker
from graphmem.errors import MissingDependencyError, ProviderError

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 20  # fused results reranked when the config sets no top_k
Ranking = list[tuple[int, float]]  # (position in the documents, relevance), most relevant first


class Reranker(Protocol):
    """What search needs from a reranker."""

    @property
    def description(self) -> str:
        """Provider, model and address, for warnings."""
        ...

    @property
    def window(self) -> int | None:
        """How many fused results to rerank (the config's top_k), or None for the default."""
        ...

    async def rank(self, query: str, documents: Sequence[str], top_n: int) -> Ranking:
        """The `top_n` most relevant documents, best first; a failure is a ProviderError."""
        ...

    async def aclose(self) -> None: ...


def best_first(scores: Sequence[float], top_n: int) -> Ranking:
    """Positions by descending score, ties in the given (fused) order."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in order[:top_n]]


_CROSS_ENCODERS: dict[tuple[str, str | None, int | None], Any] = {}
_CROSS_ENCODERS_LOCK = threading.Lock()


def _load_cross_encoder(model: str, device: str | None, max_length: int | None) -> Any:
    with _CROSS_ENCODERS_LOCK:
        key = (model, device, max_length)
        if key not in _CROSS_ENCODERS:
            from sentence_transformers import CrossEncoder

            try:  # never reach for a model hub: weights come from local paths or the existing cache
                _CROSS_ENCODERS[key] = CrossEncoder(model, device=device, max_length=max_length,
                                                    local_files_only=True)
            except Exception as exc:  # OSError, the hub's offline errors, a broken config: all "cannot load"
                raise ProviderError(f"cannot load cross-encoder {model!r} (a local path, or a model already "
                                    f"in the Hugging Face cache; nothing is downloaded): {exc}") from exc
        return _CROSS_ENCODERS[key]


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder, loaded on first use, run off the event loop."""

    def __init__(self, config: SentenceTransformerReranker) -> None:
        if importlib.util.find_spec("sentence_transformers") is None:  # checked without importing torch
            raise MissingDependencyError(
                "the sentence_transformer reranker needs sentence-transformers: pip install 'graphmem[minilm]'")
        self._config = config.config
        self._model_name = self._config.model or "cross-encoder/ms-marco-MiniLM-L-6-v2"
        self._lock = threading.Lock()  # torch inference is not re-entrant across threads here

    @property
    def description(self) -> str:
        return f"cross-encoder {self._model_name!r}"

    @property
    def window(self) -> int | None:
        return self._config.top_k

    def _rank(self, query: str, documents: Sequence[str], top_n: int) -> Ranking:
        model = _load_cross_encoder(self._model_name, self._config.device, self._config.max_length)
        with self._lock:
            try:
                scores = model.predict([(query, doc) for doc in documents], batch_size=self._config.batch_size,
                                       show_progress_bar=False, convert_to_numpy=True)
            except Exception as exc:  # a torch failure is the provider's, not the caller's
                raise ProviderError(f"{self.description} failed: {exc}") from exc
        return best_first([float(s) for s in scores], top_n)

    async def rank(self, query: str, documents: Sequence[str], top_n: int) -> Ranking:
        if not documents:
            return []
        return await asyncio.to_thread(self._rank, query, documents, top_n)

    async def aclose(self) -> None:
        pass


def create_reranker(config: RerankerConfig | None) -> Reranker | None:
    """The reranker a config names, or None; nothing is loaded or connected until the first search."""
    if config is None:
        return None
    if isinstance(config, SentenceTransformerReranker):
        return CrossEncoderReranker(config)
    from graphmem.providers.http_reranker import HttpRerankClient

    return HttpRerankClient(config)


def rerank_window(reranker: Reranker | None, limit: int) -> int:
    """How many fused results a search reads: `limit`, or more when a reranker will reorder them."""
    if reranker is None or limit == 0:
        return limit
    return max(limit, reranker.window or DEFAULT_WINDOW)


async def rerank_records(reranker: Reranker, query: str, records: list[dict[str, Any]], limit: int,
                         explain: bool) -> list[dict[str, Any]]:
    """The best `limit` records in the reranker's order, each with `rerank_score`; the fused order on failure."""
    if not records or limit == 0:
        return records[:limit]
    try:
        ranking = await reranker.rank(query, [r["memory"] for r in records], min(limit, len(records)))
    except ProviderError as exc:
        logger.warning("reranking failed, results keep the fused order: %s", exc)
        return records[:limit]
    reranked = []
    for index, relevance in ranking[:limit]:  # a server may ignore top_n
        record = {**records[index], "rerank_score": round(relevance, 6)}
        if explain:
            record["explain"] = {**record.get("explain", {}), "rerank": relevance}
        reranked.append(record)
    # A server that answered with fewer than asked for does not lose the rest: they follow, in fused order.
    ranked = {index for index, _ in ranking[:limit]}
    reranked += [r for i, r in enumerate(records) if i not in ranked][:limit - len(reranked)]
    return reranked
