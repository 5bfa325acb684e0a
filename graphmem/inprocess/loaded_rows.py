"""A memory scope's rows as its load reads them, by column: each row as the loaded scope holds it (without its
vectors: its matrices hold them), and the vectors of every row, gathered into a matrix a step of rows at a time.

Why by column: a 100k scope's load made each memory twice as a row object (with its vectors, then without them
once the matrices held them), took the saved copy's vectors (vector_files.py) as three numpy views a row, and
stacked those views into matrices again: ~2.5 s of per-row Python in a ~7 s first search. Here each memory is made
once, and a step's vectors go from the saved copy's floats into its matrix in one numpy gather; rows read from the
store (all of them without a copy) give theirs as the store's lists or float32 arrays. The matrices are the ones
the rows would make one by one, bit for bit (tests/unit/test_loaded_rows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.similarity import present
from graphmem.inprocess.vector_files import Saved, Vectors
from graphmem.inprocess.vectors import VectorRow

EMBEDDING, PARTS, CONTEXT = 0, 1, 2  # a row's vector columns (vector_files.COLUMNS' order)


@dataclass(frozen=True)
class LoadedRows:
    """Rows of one load, in the store's order, with distinct ids; each has an embedding of `dims` floats."""

    held: list[VectorRow]  # each row without its vectors, as ScopeMemories holds it once its matrices have them
    dims: int
    counts: NDArray[np.int64]  # (rows, 3): each row's vectors of each column (embedding 1, parts k, context 0/1)
    in_file: NDArray[np.bool_]  # the rows whose vectors are in `saved`; the others' are in `own`
    first: NDArray[np.int64]  # (rows, 3): such a row's first vector of each column, a row of `saved`
    saved: NDArray[np.float32]  # (vectors, dims): the saved copy's floats, as they lie in its file
    own: list[Vectors | None]  # the vectors of the rows read from the store (None for those in the file)

    def __len__(self) -> int:
        return len(self.held)

    def vectors(self, column: int, start: int, end: int) -> NDArray[np.float32]:
        """The rows [start, end)'s vectors of one column as one matrix, row after row (a row's parts in order)."""
        counts = self.counts[start:end, column]
        out = np.empty((int(counts.sum()), self.dims), dtype=np.float32)
        at = np.cumsum(counts) - counts  # each row's first place in `out`
        filed = np.flatnonzero(self.in_file[start:end] & (counts > 0))
        if len(filed):
            out[_spread(at[filed], counts[filed])] = self.saved[_spread(self.first[start + filed, column],
                                                                        counts[filed])]
        stored = np.flatnonzero(~self.in_file[start:end] & (counts > 0))
        if len(stored):
            pieces = [piece for i in stored.tolist() for piece in _pieces(self.own[start + i], column, self.dims)]
            out[_spread(at[stored], counts[stored])] = np.asarray(pieces, dtype=np.float32)
        return out


def _spread(firsts: NDArray[np.int64], counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each of `counts[i]` places from `firsts[i]` on, for every i, in order."""
    rank = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(firsts, counts) + rank


def _pieces(vectors: Vectors | None, column: int, dims: int) -> list[Any]:
    """A stored row's vectors of one column: its embedding, its context, or its parts cut at `dims` (as
    similarity.split_parts cuts them)."""
    assert vectors is not None  # (a row not in the file has its own)
    flat = vectors[column]
    if column != PARTS:
        return [flat]
    return [flat[i:i + dims] for i in range(0, len(flat) - dims + 1, dims)]


def _counts(vectors: Vectors, dims: int) -> tuple[int, int, int] | None:
    """A stored row's vectors of each column, as vector_row takes them; None when it has no embedding of `dims`
    floats or a context of another length (such rows load as VectorRows, as before)."""
    embedding, parts, context = (present(v) for v in vectors)
    if embedding is None or len(embedding) != dims or (context is not None and len(context) != dims):
        return None
    return 1, 0 if parts is None else len(parts) // dims, 0 if context is None else 1


def from_store(held: list[VectorRow], vectors: Sequence[Vectors], dims: int) -> LoadedRows | None:
    """Rows read with their vectors from the store (Python lists or float32 arrays); None if they do not fit."""
    counts = [_counts(v, dims) for v in vectors]
    if any(c is None for c in counts) or not _distinct(held):
        return None
    rows = len(held)
    return LoadedRows(held, dims, np.array(counts, dtype=np.int64).reshape(rows, 3), np.zeros(rows, dtype=np.bool_),
                      np.zeros((rows, 3), dtype=np.int64), np.zeros((0, dims), dtype=np.float32), list(vectors))


def from_saved(held: list[VectorRow], places: NDArray[np.int64], own: list[Vectors | None], saved: Saved,
               dims: int) -> LoadedRows:
    """Rows whose vectors are in the saved copy at `places` (-1: read from the store, in `own`). Raises ValueError
    when they do not fit (the scope then loads from the store, as with no copy)."""
    lengths = saved.lengths[np.maximum(places, 0)]
    stored = np.flatnonzero(places < 0).tolist()
    counts = lengths // dims
    for i in stored:
        found = _counts(own[i] or (None, None, None), dims)
        if found is None:
            raise ValueError("a row read from the store has no embedding of the scope's dimension")
        counts[i] = found
    in_file = places >= 0
    if (saved.lengths % dims).any() or not (lengths[in_file][:, [EMBEDDING, CONTEXT]] <= dims).all() \
            or not (lengths[in_file, EMBEDDING] == dims).all() or not _distinct(held):
        raise ValueError("the saved vectors are not whole rows of the scope's dimension")
    first = saved.starts[np.maximum(places, 0)] // dims
    return LoadedRows(held, dims, counts, in_file, first, saved.floats.reshape(-1, dims), own)


def _distinct(held: list[VectorRow]) -> bool:
    return len({row.id for row in held}) == len(held)
