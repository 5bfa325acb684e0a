"""Texts through a sentence-transformers model without `encode()`'s overhead, batched by token count.

`encode()` costs more than its forward passes in two ways, measured on all-MiniLM-L6-v2 on this CPU:
- one query: ~3.5 ms of its ~16 ms go to Python around the forward pass (feature dicts, sorting,
  batching, conversions);
- many texts: it sorts them by characters and cuts fixed-size batches, so a batch pads short texts
  to a long one. Batching by token count instead (`length_groups` on the tokenizer's lengths)
  embedded 1280 LOCOMO turns ~15% faster than `encode(texts)` itself.
For the common stack (transformer, mean pooling, optional normalisation) the same vectors are
computed directly. The direct path is used only when it agrees with `encode()` on a probe text, so
any other stack, or a library change, falls back to `encode()`.

With int8 weights (providers/onnx_forward), "agrees" means near: the probe texts' vectors at a mean cosine
of at least `INT8_COSINE` to `encode()`'s, none below `INT8_LEAST_COSINE`. A model that quantises worse
keeps the exact onnxruntime path.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.providers.onnx_forward import Forward, OnnxModel, cores, onnx_model

_PROBE = "Caroline went to the LGBTQ support group on 7 May 2023 and felt accepted."
_TOLERANCE = 1e-4
# Texts of the kinds a memory holds. all-MiniLM-L6-v2's int8 vectors are at cosine 0.98-0.995 of encode()'s for
# sentences, 0.94-0.97 for a word or two ("ok", "thanks!"), and 0.991 on average over LOCOMO turns.
_PROBES = (_PROBE, "What did Melanie paint last summer?", "ok", "I'm allergic to peanuts and shellfish.",
           "Our flight to Tokyo leaves at 6:40 on Friday, gate B12, so set an alarm for 4.",
           "Jon lost his job as a banker and decided to open a dance studio with the savings he had left.")
INT8_COSINE = 0.98
INT8_LEAST_COSINE = 0.9  # and no probe text far off ("ok" is at ~0.96)
Check = Callable[[Forward], bool]
# A forward pass pads its texts to the longest: texts are batched with others of about their length.
TOKEN_SPREAD, TOKEN_SHORT = 1.25, 12   # longest at most 1.25x the shortest, unless all are under 12 tokens


def length_groups(lengths: Sequence[int], most: int, spread: float, short: int) -> list[list[int]]:
    """Positions of texts in batches of at most `most` of similar length, shortest first.

    A batch's longest text is at most `spread` times its shortest, unless all are shorter than `short`.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and len(groups[-1]) < most and lengths[i] <= max(short, spread * lengths[groups[-1][0]]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


class DirectEncoder:
    """Vectors equal to `model.encode(texts)`'s (within float error; near them with `int8`), without `encode()`.

    `workers`, when given, makes the forwards that run a call's batches side by side (one per core
    group, providers/onnx_forward); it is called on the first call with several batches."""

    def __init__(self, model: Any, forward: Forward, single: Forward | None = None,
                 workers: Callable[[], list[Forward]] | None = None, int8: bool = False) -> None:
        self._tokenizer = model.tokenizer
        self._max_length = int(model.max_seq_length)
        self._single = single or forward  # one text: onnxruntime when it is there (providers/onnx_forward)
        # Batches without workers: torch's exact vectors, or the int8 session, so a store never mixes the two.
        self._forward = self._single if int8 else forward
        self._make_workers = workers
        self._workers: list[Forward] | None = None
        self.int8 = int8

    @property
    def runtime(self) -> str:
        if self.int8:
            return "onnxruntime int8"
        return "torch" if self._single is self._forward else "onnxruntime"

    def one(self, text: str) -> NDArray[np.float32]:
        return np.asarray(self._single([text])[0], dtype=np.float32)

    def many(self, texts: Sequence[str], most: int) -> NDArray[np.float32]:
        """All texts' vectors in their order, in forward passes of at most `most` texts of similar token count."""
        ids = self._tokenizer(list(texts), truncation=True, max_length=self._max_length)["input_ids"]
        groups = length_groups([len(i) for i in ids], most, TOKEN_SPREAD, TOKEN_SHORT)
        rows: list[NDArray[np.float32]] = [np.empty(0, dtype=np.float32)] * len(texts)
        for group, matrix in zip(groups, self._run([[texts[i] for i in g] for g in groups]), strict=True):
            for i, row in zip(group, matrix, strict=True):
                rows[i] = row
        return np.stack(rows)

    def _run(self, batches: list[list[str]]) -> list[NDArray[np.float32]]:
        if len(batches) == 1:
            return [self._single(batches[0])]
        workers = self._batch_workers()
        if len(workers) < 2:
            return [self._forward(batch) for batch in batches]
        return side_by_side(workers, batches)

    def _batch_workers(self) -> list[Forward]:
        if self._workers is None:
            self._workers = self._make_workers() if self._make_workers else []
        return self._workers


def side_by_side(workers: list[Forward], batches: list[list[str]]) -> list[NDArray[np.float32]]:
    """Each batch's vectors, in order; each batch runs on whichever worker is free, the longest first."""
    free: queue.SimpleQueue[Forward] = queue.SimpleQueue()
    for worker in workers:
        free.put(worker)

    def run(batch: list[str]) -> NDArray[np.float32]:
        worker = free.get()
        try:
            return worker(batch)
        finally:
            free.put(worker)

    longest_first = sorted(range(len(batches)), key=lambda i: -sum(len(t) for t in batches[i]))
    results: list[NDArray[np.float32]] = [np.empty(0, dtype=np.float32)] * len(batches)
    with ThreadPoolExecutor(len(workers), thread_name_prefix="graphmem-embed") as pool:
        for i, matrix in zip(longest_first, pool.map(run, [batches[i] for i in longest_first]), strict=True):
            results[i] = matrix
    return results


def direct_encoder(model: Any, onnx: bool = True, int8: bool = False) -> DirectEncoder | None:
    """A DirectEncoder for `model`, or None when its vectors would not equal `model.encode()`'s (then
    `encode()` runs).

    With `onnx`, single texts and batches go through onnxruntime when it is installed and agrees too;
    with `int8` as well, through its int8 weights when they are near enough."""
    try:
        forward = _forward(model)
        if forward is None:
            return None
        exact = _exact(model)
        if not exact(forward):
            return None
        exported = onnx_model(model, normalise=len(list(model)) == 3) if onnx else None
        if exported is None:
            return DirectEncoder(model, forward)
        quantised = _int8_encoder(model, forward, exported) if int8 else None
        return quantised or DirectEncoder(model, forward, _onnx_single(exported, exact),
                                          _onnx_workers(exported, exact))
    except Exception:
        return None


def _int8_encoder(model: Any, forward: Forward, exported: OnnxModel) -> DirectEncoder | None:
    """An encoder on the int8 weights, or None when quantising fails or moves a probe's vector too far."""
    try:
        quantised, near = exported.int8(), _near(model)
    except Exception:
        return None
    single = _onnx_single(quantised, near)
    return None if single is None else DirectEncoder(model, forward, single, _onnx_workers(quantised, near), True)


def _onnx_single(exported: OnnxModel, check: Check) -> Forward | None:
    """A session on all cores for one text, when it passes `check`; its failure keeps the torch paths."""
    try:
        single = exported.forward(threads=0)  # 0: onnxruntime's default, one thread per physical core
        return single if check(single) else None
    except Exception:
        return None


def _onnx_workers(exported: OnnxModel, check: Check) -> Callable[[], list[Forward]]:
    """Two sessions of half the cores each, to run batches side by side; none on one core or when they fail."""
    def make() -> list[Forward]:
        try:
            workers = [exported.forward(threads=cores() // 2) for _ in range(2)] if cores() >= 2 else []
            return workers if all(check(worker) for worker in workers) else []
        except Exception:
            return []

    return make


def _exact(model: Any) -> Check:
    """Whether a forward gives `encode()`'s vector for the probe sentence, within float error."""
    expected = np.asarray(model.encode([_PROBE], convert_to_numpy=True, show_progress_bar=False)[0])

    def check(forward: Forward) -> bool:
        got = forward([_PROBE])[0]
        return bool(expected.shape == got.shape and float(np.max(np.abs(expected - got))) <= _TOLERANCE)

    return check


def _near(model: Any) -> Check:
    """Whether a forward's vectors for the probe texts are near `encode()`'s."""
    expected = np.asarray(model.encode(list(_PROBES), convert_to_numpy=True, show_progress_bar=False))
    return lambda forward: near(forward(list(_PROBES)), expected)


def near(got: NDArray[np.float32], expected: NDArray[np.float32]) -> bool:
    """The rows of `got` at a mean cosine of at least INT8_COSINE to the same rows of `expected`, and none
    below INT8_LEAST_COSINE."""
    if got.shape != expected.shape:
        return False
    norms = np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1)
    cosines = (got * expected).sum(axis=1) / np.maximum(norms, 1e-12)
    return bool(cosines.mean() >= INT8_COSINE and cosines.min() >= INT8_LEAST_COSINE)


def _mean_pooling(pooling: Any) -> bool:
    """Plain mean pooling, in either of the ways sentence-transformers versions spell it."""
    mode = getattr(pooling, "pooling_mode", None)
    if mode is not None:
        return bool(mode == "mean")
    others = ("cls_token", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")
    return getattr(pooling, "pooling_mode_mean_tokens", False) is True and not any(
        getattr(pooling, f"pooling_mode_{other}", False) for other in others)


def _forward(model: Any) -> Forward | None:
    import torch

    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    if not _mean_pooling(modules[1]):
        return None
    transformer, tokenizer = modules[0].auto_model, model.tokenizer
    max_length = int(model.max_seq_length)
    normalise = len(modules) == 3

    def forward(texts: list[str]) -> NDArray[np.float32]:
        with torch.inference_mode():
            features = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            tokens = transformer(**features).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            vectors = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if normalise:
                vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
        return np.asarray(vectors.numpy(), dtype=np.float32)

    return forward
