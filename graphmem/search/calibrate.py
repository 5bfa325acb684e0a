"""The `score` a caller sees: a relevance in [0, 1] that means the same for every query and store.

Fusion ranks well but its scores are relative (the best hit of any query fuses to about the same
value), so they cannot say whether a store holds an answer at all. The query's vector similarity
to the memories can, once mapped through the embedder's own scale: each embedder spreads its
cosines differently (multilingual-e5 puts unrelated texts near 0.8, MiniLM near 0.1). A logistic
map per embedder, fitted on answerable and off-topic questions (bench/calibration.py), turns a
cosine into the chance that the memory answers the query.

The fused order is kept, so scores need not fall down the list: a memory that keyword or graph
evidence ranks high but whose meaning is far from the query keeps its low relevance. A memory found
only by keyword or graph search (outside the vector candidates) has no cosine and takes the best
relevance times the cube of its fused share of the first result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from graphmem.ingest.languages import has_han, language_of
from graphmem.search.fusion import best

# Embedder identity prefix: (cosine at which a memory answers the query as often as not, cosine per
# logistic unit), and the same for Chinese queries where the embedder spreads them differently. Fitted by
# bench/calibration.py on answerable and off-topic questions (bench/RESULTS.md, "Calibrated scores").
Scale = tuple[float, float]
SCALES: dict[str, tuple[Scale, Scale]] = {
    "local multilingual-e5": ((0.824, 0.014), (0.843, 0.013)),  # e5 rates Chinese pairs ~0.02 higher
    "local all-MiniLM": ((0.28, 0.04), (0.71, 0.10)),  # English-only: Chinese texts all look alike to it
    "hash": ((0.35, 0.07), (0.35, 0.07)),
}
DEFAULT_SCALE = (0.45, 0.07)  # other models (OpenAI's, Ollama's): a MiniLM-like spread of cosines


def scale_of(identity: str, query: str = "") -> Scale:
    """The logistic map of an embedder's cosines for a query (Chinese queries may have their own)."""
    scales = next((s for prefix, s in SCALES.items() if identity.startswith(prefix)), None)
    if scales is None:
        return DEFAULT_SCALE
    return scales[1] if has_han(query) and language_of(query) != "other" else scales[0]  # not Japanese


def relevance(cosine: float, scale: Scale) -> float:
    centre, unit = scale
    return 1.0 / (1.0 + math.exp(-(cosine - centre) / unit))


def calibrated(fused: Mapping[str, float], similarity: Mapping[str, float],
               scale: Scale) -> dict[str, float]:
    """Scores, in the fused order (the dict's order, which search keeps): each result's own relevance
    where the vector search scored it; a result only keyword or graph search found takes the best
    relevance times the cube of its fused share (the other signals' agreement, discounted: they say
    it belongs, not how well it answers)."""
    order = best(fused)
    if not order:
        return {}
    own = {mid: relevance(similarity[mid], scale) for mid in order if mid in similarity}
    top = max(own.values(), default=0.0)
    first = fused[order[0]] or 1.0
    return {mid: own[mid] if mid in own else top * (fused[mid] / first) ** 3 for mid in order}
