"""Saved copies of an embedded store's large scopes' vectors: a new process reads them instead of Kuzu's lists.

A scope's first search loads its rows into RAM, and Kuzu turning the vector columns into Python lists of floats
is most of that load (100k memories: 5.5 s of `m.embedding` alone, where Kuzu's `hash()` of all three vector
columns takes 1.4 s). So a scope of ANN_MIN_ROWS rows or more saves its vectors beside the store, in the folder
of its saved indexes (ann_files.py), two files per scope and table: `<digest>.<kind>.vectors`, every row's
embedding, sentence vectors (parts) and context vector as one run of little-endian float32, and
`<digest>.<kind>.vectors.json`, what they are: the row ids, each row's three lengths, and Kuzu's own hash of each
of its three vector columns, read in the same statement as the vectors saved (never computed here). The digest
is of the kind and the scope's ids, so no user text is ever part of a path.

Staleness is checked row by row: the next load reads the scope's other columns and the three hashes
(memory/hashed_in_scope); a row whose id is saved with the same hashes takes its vectors from the file, any other
(added since, or updated: same id, another vector) is read from Kuzu by id; saved rows no longer in the scope are
ignored. The file is used only if its data is byte for byte the one its json names (sha256: torn, half replaced,
foreign), for this format and dimension; anything else is logged at debug and the scope loads as before.

Writes go to temporary files (ann_files' names: a reset removes them with the indexes') and `os.replace`, the
data first, then the json naming its digest. A reader reads the data through one open file and checks that very
copy; a load does it on a thread (`VectorFile.read`) while it reads the scope's rows from the store. Saves run on
a thread of their own after the load; a closed store's folder is never written again, and reset, delete_all
(discard) retire the files they remove.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.ann_files import Owner, SavedFile, SavedFiles, SaveStopped
from graphmem.inprocess.similarity import present
from graphmem.pacing import Pacer

logger = logging.getLogger(__name__)
FORMAT = 1
SAVED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]+\.vectors(\.json)?")
COLUMNS = ("embedding", "parts", "context_embedding")  # the vector columns, in their order in the data file
HASHES = ("embedding_hash", "parts_hash", "context_hash")  # Kuzu's hash() of each, as the statements name them
WRITE_ROWS = 512  # rows converted and written at a time (a save checks between steps whether it must stop)
CLOSE_WAIT = 30.0  # seconds a closing store waits for a save under way (100k rows: ~1-3 s) before stopping it
Vectors = tuple[Any, Any, Any]  # a row's embedding, flat parts and context: sequences of floats, or None
Entry = tuple[str, tuple[int, int, int], Vectors]  # a row's id, the three hashes, its vectors


@dataclass(frozen=True)
class Saved:
    """A saved copy, read and checked (not yet against the rows loaded now). Its columns stay numpy arrays: a load
    gathers the vectors of many rows at once from them (as Python lists, with three views a row, the 100k rows of
    a scope took ~1.5 s of the load)."""

    at: dict[str, int]  # row id -> its place in the file
    hashes: NDArray[np.uint64]  # each place's three hashes, (places, 3)
    starts: NDArray[np.int64]  # each place's offset of each column in `floats`, (places, 3)
    lengths: NDArray[np.int64]
    floats: NDArray[np.float32]

    def holds(self, row_id: str, hashes: tuple[int, int, int]) -> int | None:
        """The place of a saved row with these very vectors (Kuzu's hashes), or None."""
        place = self.at.get(row_id)
        return place if place is not None and tuple(self.hashes[place].tolist()) == hashes else None

    def places(self, ids: Sequence[str], hashes: Sequence[tuple[int, int, int]]) -> NDArray[np.int64]:
        """Each row's place in the file if it is saved there with these very vectors (Kuzu's hashes), else -1."""
        at = self.at
        places = np.fromiter((at.get(row_id, -1) for row_id in ids), dtype=np.int64, count=len(ids))
        try:
            given = np.array(hashes, dtype=np.uint64).reshape(len(ids), 3)
        except (TypeError, ValueError, OverflowError):  # a hash not as saved (NULL, negative): row by row
            return np.array([-1 if (place := self.holds(i, h)) is None else place
                             for i, h in zip(ids, hashes, strict=True)], dtype=np.int64)
        known = np.flatnonzero(places >= 0)
        same = (self.hashes[places[known]] == given[known]).all(axis=1)
        places[known[~same]] = -1
        return places

    def vectors(self, place: int) -> Vectors:
        """The saved row's embedding, flat parts and context (float32 views; None for an empty or NULL one)."""
        start, length = self.starts[place].tolist(), self.lengths[place].tolist()
        found = [self.floats[s:s + n] if n else None for s, n in zip(start, length, strict=True)]
        return found[0], found[1], found[2]


class Reading(threading.Thread):
    """A saved copy read and checked on a thread of its own (~0.5 s at 100k rows, its sha256 without the GIL): the
    load reads the scope's rows from the store meanwhile (kuzu_vectors.py)."""

    def __init__(self, read: Callable[[], Saved], name: str) -> None:
        super().__init__(daemon=True, name="graphmem-vectors-read")
        self._read, self._file = read, name  # (not `_name`: Thread's own, the thread's name)
        self._saved: Saved | None = None
        self.start()

    def run(self) -> None:
        try:
            self._saved = self._read()
        except Exception as exc:  # whatever is wrong with the files, the load only does without them
            logger.debug("the saved %s is not used, the scope loads from the store: %r", self._file, exc)

    def result(self) -> Saved | None:
        """The copy, read and checked; None when it cannot be used."""
        self.join()
        return self._saved


def hashes_of(row: dict[str, Any]) -> tuple[int, int, int]:
    """The three hashes a statement returned for a row."""
    return row[HASHES[0]], row[HASHES[1]], row[HASHES[2]]


class VectorFiles(SavedFiles):
    """The saved vectors of one store (beside its saved indexes)."""

    DATA, META, NAME = ".vectors", ".vectors.json", SAVED_NAME

    def __init__(self, folder: str | Path) -> None:
        super().__init__(folder)
        self._savers: list[threading.Thread] = []

    def of(self, kind: str, owner: Owner) -> VectorFile:
        return self._hand(VectorFile(self, kind, owner))

    def save_later(self, file: VectorFile, entries: Sequence[Entry]) -> None:
        """Save on a thread of its own: the search that loaded the scope does not wait for it."""
        saver = threading.Thread(target=file.save, args=(entries,), daemon=True, name="graphmem-vectors")
        with self.lock:
            if self.closed:
                return
            self._savers = [s for s in self._savers if s.is_alive()] + [saver]
        saver.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until the saves under way have ended (tests, benchmarks, close)."""
        for saver in list(self._savers):
            saver.join(timeout)

    def close(self) -> None:
        """The store closed: a save under way ends (or stops, after CLOSE_WAIT), and nothing is saved here again:
        the user may remove the store, and the store opened again may reset it."""
        self.wait(CLOSE_WAIT)
        self.closed = True  # read by a save between its steps: it stops
        with self.lock:  # after the save's last step
            self._savers = []

    def discard(self, owner: Owner | None) -> None:
        """Remove the saved vectors that may hold a row of `owner`'s scope (None: all), and stop the saves of
        such scopes under way or to come: what reset and delete_all delete leaves no vector on disk."""
        self._retire(owner)  # before the lock: a save under way stops at its next step
        with self.lock:
            self._remove_saved(owner)


class VectorFile(SavedFile):
    """One scope's saved vectors of one table: `read` them, `save` them."""

    def read(self, dims: int) -> Reading | None:
        """The saved vectors being read and checked on a thread (`Reading.result`: None when they cannot be used);
        None when there is no file, or one made for another scope, table, dimension or format (what its json's first
        line says: read here)."""
        def begin() -> Reading:
            with self._meta.open("rb") as meta:
                self._check(json.loads(meta.readline()), dims)
            if not self._data.exists():
                raise ValueError("no data")
            return Reading(lambda: self._load(dims), self._meta.name)

        return self._loaded(begin, "the scope loads from the store")

    def _check(self, header: Any, dims: int) -> None:
        expected = {"format": FORMAT, "kind": self.kind, "owner": list(self.owner), "dims": dims}
        if not isinstance(header, dict) or any(header.get(key) != value for key, value in expected.items()):
            raise ValueError("made for another scope, table, dimension or format")

    def _load(self, dims: int) -> Saved:
        with self._meta.open("rb") as meta:
            header = json.loads(meta.readline())
            self._check(header, dims)
            body = json.loads(meta.readline())
        with self._data.open("rb") as data:  # one copy, checked: a save replacing the file meanwhile changes none
            raw = data.read()
        if hashlib.sha256(raw).hexdigest() != header["sha256"]:
            raise ValueError("the data is not the one its json names (a save in progress, or torn)")
        floats = np.frombuffer(raw, dtype="<f4").astype(np.float32, copy=False)
        ids, count = body["ids"], header["count"]
        hashes = _array(body["hashes"], "<u8", count)
        lengths = _array(body["lengths"], "<i8", count)
        if not (isinstance(ids, list) and len(ids) == count and all(isinstance(i, str) for i in ids)
                and len(set(ids)) == count and int(lengths.sum()) == len(floats) and bool((lengths >= 0).all())
                and bool(np.isin(lengths[:, 0], (0, dims)).all()) and bool((lengths[:, 1] % dims == 0).all())):
            raise ValueError("its json is not a saved copy's")
        starts = (np.cumsum(lengths.ravel()) - lengths.ravel()).reshape(count, 3)
        return Saved({row_id: place for place, row_id in enumerate(ids)}, hashes, starts, lengths, floats)

    def save(self, entries: Sequence[Entry]) -> bool:
        """Save the rows (on a saver's thread); whether they were saved."""
        return self._saved(lambda data, meta: self._write(entries, data, meta))

    def _stop_if_asked(self) -> None:
        if self.retired or self._files.closed:
            raise SaveStopped

    def _write(self, entries: Sequence[Entry], data: Path, meta: Path) -> None:
        count = len(entries)
        lengths = np.zeros((count, 3), dtype=np.int64)
        digest, pacer = hashlib.sha256(), Pacer()
        with data.open("wb") as out:
            for start in range(0, count, WRITE_ROWS):
                self._stop_if_asked()
                arrays = []
                for place, (_, _, vectors) in enumerate(entries[start:start + WRITE_ROWS], start):
                    for column, vector in enumerate(vectors):
                        if present(vector) is not None:
                            arrays.append(np.asarray(vector, dtype=np.float32))
                            lengths[place, column] = len(vector)
                        pacer.tick()
                block = np.concatenate(arrays).astype("<f4").tobytes() if arrays else b""
                digest.update(block)
                out.write(block)
        hashes = np.array([hashes for _, hashes, _ in entries], dtype=np.uint64).reshape(count, 3)
        header = {"format": FORMAT, "kind": self.kind, "owner": list(self.owner),
                  "dims": _dims(lengths), "count": count, "sha256": digest.hexdigest()}
        body = {"ids": [row_id for row_id, _, _ in entries], "hashes": _text(hashes, "<u8"),
                "lengths": _text(lengths, "<i8")}
        meta.write_text(json.dumps(header) + "\n" + json.dumps(body) + "\n", encoding="utf-8")
        self._stop_if_asked()  # (under the lock: a discard after this removes what is replaced here)
        os.replace(data, self._data)
        os.replace(meta, self._meta)


def _dims(lengths: NDArray[np.int64]) -> int:
    found = np.unique(lengths[:, 0][lengths[:, 0] > 0])
    if len(found) != 1:
        raise ValueError("no embedding, or embeddings of several lengths")
    return int(found[0])


def _text(array: NDArray[Any], dtype: str) -> str:
    return base64.b64encode(array.astype(dtype).tobytes()).decode("ascii")


def _array(text: Any, dtype: str, count: Any) -> NDArray[Any]:
    if not isinstance(text, str) or not isinstance(count, int) or count <= 0:
        raise ValueError("its arrays are not text")
    found: NDArray[Any] = np.frombuffer(base64.b64decode(text, validate=True), dtype=dtype)
    return found.reshape(count, 3)
