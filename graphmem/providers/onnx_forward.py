"""Texts through onnxruntime: a query embeds ~1.5x and a batch ~1.3x faster than with torch on this CPU.

Measured on all-MiniLM-L6-v2, 2 cores:
- one LOCOMO turn took ~11-13 ms with onnxruntime on both cores and ~16-22 ms with torch (the direct path);
- batches: one session on both cores was only as fast as torch, but two sessions of one thread each,
  each running its own batches, embedded 1280 LOCOMO turns at ~145-170 texts/s against torch's ~115-140
  and `encode()`'s ~110-120 (same vectors within 3e-7): small matrices do not split well over threads.
  Three or four such sessions on 2 cores were no faster. On more cores each of the two gets half of them
  (not measured here: this machine has 2).
The transformer is exported from the loaded torch model once (~2 s) into graphmem's cache folder,
keyed by a fingerprint of its weights, and used only when its vector equals `encode()`'s on a probe
text (providers/direct). Needs `onnxruntime` and `onnx` (the `local` extra); without them, or when
anything fails, the torch path is used.

`OnnxModel.int8()` quantises the export's matrix multiplications to int8 weights, one scale per output
channel (onnxruntime's dynamic quantisation: activations are quantised on each call), once (~4 s) into the
same folder. On all-MiniLM-L6-v2 and 1280 LOCOMO turns: batches ~1.5x faster (two sessions side by side,
~160-180 against ~105-110 texts/s), vectors at cosine 0.991 mean and 0.98 least from `encode()`'s, and LOCOMO
evidence recall unchanged (R@10 .793 against .786). Per-tensor scales gave cosine 0.95; quantising the
embedding lookup too, reducing the range to 7 bits, or onnxruntime's pre-processing were no better here.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Forward = Callable[[list[str]], NDArray[np.float32]]
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    """GRAPHMEM_CACHE_DIR, else $XDG_CACHE_HOME/graphmem, else ~/.cache/graphmem."""
    explicit = os.environ.get("GRAPHMEM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graphmem"


def _fingerprint(transformer: Any, max_length: int) -> str:
    """The weights' shapes and a sample of each tensor's values, plus the library versions."""
    import torch
    import transformers

    digest = hashlib.sha256(f"{torch.__version__}|{transformers.__version__}|{max_length}".encode())
    for name, tensor in transformer.state_dict().items():
        digest.update(f"{name}{tuple(tensor.shape)}".encode())
        digest.update(tensor.detach().flatten()[:32].float().numpy().tobytes())
    return digest.hexdigest()[:24]


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[str]:
    """A temporary file beside `path`, renamed to it when the block succeeds and removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(suffix=".onnx.part", dir=path.parent)
    os.close(handle)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _export(transformer: Any, tokenizer: Any, names: list[str], path: Path) -> None:
    """The transformer to ONNX (batch and length dynamic), written under a temporary name and renamed."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *inputs: Any) -> Any:
            return self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state

    sample = tokenizer(["a probe sentence"], return_tensors="pt")
    with _atomic_file(path) as partial, warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the tracer warns about constants it folds; the probe checks
        torch.onnx.export(LastHidden().eval(), tuple(sample[n] for n in names), partial, input_names=names,
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]})


_QUANTISED_AS = "matmul-perchannel-s8"  # what _quantise does, named in the file it writes


def _quantise(source: Path, path: Path) -> None:
    """`source` with int8 weights for its MatMuls, one scale per output channel, written to `path`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    # The quantiser logs through the `logging` module's functions, which configure the root logger when it
    # has no handler: a handler of our own for the call keeps the application's logging as it was.
    quiet = logging.NullHandler()
    root.addHandler(quiet)
    try:
        with _atomic_file(path) as partial:
            quantize_dynamic(source, partial, op_types_to_quantize=["MatMul"], per_channel=True,
                             weight_type=QuantType.QInt8)
    finally:
        root.removeHandler(quiet)


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxModel:
    """A sentence-transformers model's transformer exported to ONNX, run by sessions of any thread count."""

    def __init__(self, model: Any, normalise: bool) -> None:
        import onnx  # noqa: F401  (torch's exporter needs it)

        transformer, self._tokenizer = model[0].auto_model, model.tokenizer
        self._max_length = int(model.max_seq_length)
        self._names = [n for n in _INPUTS if n in self._tokenizer(["probe"])]
        self._normalise = normalise
        self._path = cache_dir() / "onnx" / f"{_fingerprint(transformer, self._max_length)}.onnx"
        if not self._path.exists():
            _export(transformer, self._tokenizer, self._names, self._path)

    def int8(self) -> OnnxModel:
        """The same model with int8 weights (quantised on first use, kept beside the export)."""
        import onnxruntime

        # The settings and the quantiser's version in the name: a change makes a new file, not a stale one.
        path = self._path.with_suffix(f".int8-{_QUANTISED_AS}-ort{onnxruntime.__version__}.onnx")
        if not path.exists():
            _quantise(self._path, path)
        quantised = copy.copy(self)
        quantised._path = path
        return quantised

    def forward(self, threads: int) -> Forward:
        """texts -> mean-pooled (and normalised) vectors, in a session of its own with `threads` threads."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Its threads would otherwise spin after each run, taking the cores from the other sessions and the store.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(self._path), options, providers=["CPUExecutionProvider"])
        # A tokenizer of its own: a fast tokenizer switches padding on and off in place, and two sessions
        # encoding side by side with a shared one fail with "Already borrowed" (huggingface/tokenizers#537).
        tokenizer = copy.deepcopy(self._tokenizer)
        names, max_length, normalise = self._names, self._max_length, self._normalise

        def run(texts: list[str]) -> NDArray[np.float32]:
            features = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="np")
            tokens = session.run(None, {n: np.asarray(features[n], dtype=np.int64) for n in names})[0]
            mask = np.asarray(features["attention_mask"], dtype=np.float32)[..., None]
            vectors = (tokens * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            if normalise:
                vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            return np.asarray(vectors, dtype=np.float32)

        return run


def onnx_model(model: Any, normalise: bool) -> OnnxModel | None:
    """The model's ONNX export (made on first use), or None when onnxruntime is not installed or it fails."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    try:
        return OnnxModel(model, normalise)
    except Exception:
        return None
