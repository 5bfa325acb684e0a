"""Saved HNSW indexes of an embedded store's large scopes: a new process loads one instead of building it.

Building the index of a 100k-row scope takes ~80 s of one core (ann.py); reading the saved one and checking it
takes under a second, and only the rows written since are indexed. The files sit in a folder beside the store
(`IndexFiles`), two per scope and vector kind: `<digest>.<kind>.hnsw`, hnswlib's own file, and
`<digest>.<kind>.json`, what it was built over. The digest is of the kind and the scope's ids, so no user text
is ever part of a path; the json holds the ids themselves, and a file of another scope is told by them.

Staleness. Labels are positions in the matrix of the process that built the index, and Kuzu returns a scope's
rows in an order it does not promise (rows deleted since leave gaps in it anyway), so ids are matched, not
positions: the json lists the row id of every label, a checksum of the vector each label was built with, and the
labels marked deleted. A loading process puts its rows in the saved label order (`adoption`): a saved row not
loaded now leaves a dead place (marked deleted), rows not saved come after it and are indexed as new. A saved label
whose row's vector is not the one it was built with (its checksum: an update keeps the id, not the vector) is dead
too, and the row indexed as new. The saved index is used only if at most MAX_DEAD of its labels are dead, and the
.hnsw is byte for byte the one the json names (sha256: a torn, half-replaced or foreign file); anything else is
logged at debug and the index is built as before. The index only proposes candidates, which are
re-scored exactly, but a label naming the wrong row would hide a true hit: the checks are strict, not tolerant.

Writes go to a temporary file and `os.replace`, the .hnsw first, then the .json that names its digest; a reader
checks the digest on a hard link of the .hnsw, which a later replace cannot change under it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from graphmem.inprocess.ann import BUILD_EF, LINKS, HnswIndex

logger = logging.getLogger(__name__)
T = TypeVar("T")
F = TypeVar("F", bound="SavedFile")
Owner = tuple[str | None, str | None, str | None]  # a scope's user_id, agent_id, run_id
FORMAT = 1
MAX_DEAD = 0.25  # a saved index with more dead labels is built again (compacted) rather than loaded
STALE_TEMP = 3600.0  # seconds: an older temporary file is a save or load that died, removed by the next save
CHECK_ROWS = 4096  # rows checksummed at a time (a uint64 copy of 4k x 384 floats is 12 MB)
# The names this module gives files (IndexFile, _temp): a discard removes these only, whatever else the folder holds.
SAVED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]+\.(hnsw|json)")
TEMP_NAME = re.compile(r"[0-9]+-[0-9a-f]{16}\.tmp")


@cache
def _mix(dims: int) -> NDArray[np.uint64]:
    """An odd 64-bit multiplier per column, the same in every process (derived by hash, not by a random stream)."""
    return np.array([int.from_bytes(hashlib.blake2b(i.to_bytes(4, "little"), digest_size=8).digest(), "little") | 1
                     for i in range(dims)], dtype=np.uint64)


def checksums(matrix: NDArray[np.float32], positions: NDArray[np.int64]) -> NDArray[np.uint64]:
    """A 64-bit checksum of each row's exact bits (their sum, each times its column's odd multiplier, mod 2**64):
    any one float changed changes it; a different row matches by chance with odds of ~2**-64."""
    mix = _mix(matrix.shape[1])
    found = np.empty(len(positions), dtype=np.uint64)
    for start in range(0, len(positions), CHECK_ROWS):
        bits = matrix[positions[start:start + CHECK_ROWS]].view(np.uint32).astype(np.uint64)
        found[start:start + CHECK_ROWS] = (bits * mix).sum(axis=1)
    return found


def overlaps(one: Sequence[str | None], other: Sequence[str | None]) -> bool:
    """Whether two scopes may share a row: no id that both name differs."""
    return all(a is None or b is None or a == b for a, b in zip(one, other, strict=True))


@dataclass(frozen=True)
class Saved:
    """A saved index, read and checked against its json (not yet against the rows loaded now)."""

    ids: list[str]  # the row id of each label
    checks: NDArray[np.uint64]  # each label's vector checksum
    deleted: list[int]  # labels marked deleted in the index
    index: Any  # the hnswlib index, loaded


@dataclass(frozen=True)
class Adoption:
    """Where the loaded rows go so that the saved labels are their positions."""

    order: NDArray[np.int64]  # for each new position, the loaded position of its row (-1: a dead place)
    dead: list[int]  # labels to mark deleted: saved live, and not loaded live now or with another vector


def adoption(saved: Saved, ids: Sequence[str], alive: NDArray[np.bool_],
             matrix: NDArray[np.float32]) -> Adoption | None:
    """The saved labels matched to the loaded rows (`ids`, `alive`, `matrix` in load order) by id, or None when
    the saved index does not fit them."""
    at = {row_id: p for p, row_id in enumerate(ids) if alive[p]}
    order = np.full(len(saved.ids), -1, dtype=np.int64)
    gone = set(saved.deleted)
    for label, row_id in enumerate(saved.ids):
        if label not in gone:
            order[label] = at.get(row_id, -1)
    misfit = _misfit(order, saved.checks, matrix)
    if misfit is not None:
        logger.debug("a saved ANN index does not fit its scope's rows, it is built again: %s", misfit)
        return None
    matched = np.flatnonzero(order >= 0)
    rest = np.setdiff1d(np.arange(len(ids)), order[matched])  # rows it does not hold, in load order
    dead = [int(label) for label in np.flatnonzero(order < 0) if int(label) not in gone]
    return Adoption(np.concatenate([order, rest]), dead)


def _misfit(order: NDArray[np.int64], checks: NDArray[np.uint64], matrix: NDArray[np.float32]) -> str | None:
    """Why the saved labels (`order`: the loaded position of each, -1 for none) cannot be used; first, each label
    whose row's vector is not the one it was built with loses its row (set to -1 in `order`)."""
    matched = np.flatnonzero(order >= 0)
    if len(np.unique(order[matched])) != len(matched):
        return "two of its live labels name one row"
    # An update keeps a memory's id and changes its vector: its label becomes dead and the row is indexed as
    # new, as after a delete and an add. Rejecting the file instead cost the next process the whole build.
    order[matched[checksums(matrix, order[matched]) != checks[matched]]] = -1
    live = int(np.count_nonzero(order >= 0))
    if live < (1 - MAX_DEAD) * len(order):
        return f"{len(order) - live} of its {len(order)} labels are dead (rows deleted, or vectors changed)"
    return None


class SavedFiles:
    """The folder of one store's saved files of one sort (`DATA` and `META` end each scope's pair of names, after
    `<digest>.<kind>`). Saves and discards of this process take turns (its lock)."""

    DATA, META, NAME = ".hnsw", ".json", SAVED_NAME

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.lock = threading.Lock()
        self.closed = False  # set by close: nothing is saved here again
        self._handed: weakref.WeakSet[SavedFile] = weakref.WeakSet()
        self._handing = threading.Lock()  # (not `lock`: a discard marks them before it waits for a save under way)

    def _hand(self, file: F) -> F:
        with self._handing:
            self._handed.add(file)
        return file

    def _retire(self, owner: Owner | None) -> None:
        """Keep the files handed out that may hold a row of `owner`'s scope (None: all) from saving again."""
        with self._handing:
            handed = list(self._handed)
        for file in handed:
            if owner is None or overlaps(file.owner, owner):
                file.retired = True

    def _remove_saved(self, owner: Owner | None) -> bool:
        """Remove (under the lock) the saved pairs that may hold a row of `owner`'s scope (None: all), and data
        whose json is gone; False when there is no folder."""
        if not self.folder.is_dir():
            return False
        for meta in _ours(self.folder, "*" + self.META, self.NAME):
            held = _owner_of(meta)
            if owner is None or held is None or overlaps(held, owner):
                _remove(meta.with_name(meta.name[: -len(self.META)] + self.DATA), meta)
        for data in _ours(self.folder, "*" + self.DATA, self.NAME):
            if not data.with_name(data.name[: -len(self.DATA)] + self.META).exists():  # whose it was is not known
                _remove(data)
        return True


class IndexFiles(SavedFiles):
    """The folder of one store's saved indexes."""

    def close(self) -> None:
        """The store closed: no index of this process is saved here again, not even one of a scope dropped from the
        cache and still building. Once closed, the user may remove the store; a late save must not write it again,
        nor land after a reset made by the store opened again (whose IndexFiles never handed it out)."""
        with self.lock:  # after a save in progress, if any
            self.closed = True

    def of(self, kind: str, owner: Owner) -> IndexFile:
        """The saved index of one scope's vectors of one kind ("memory", "parts", "entity")."""
        return self._hand(IndexFile(self, kind, owner))

    def discard(self, owner: Owner | None) -> None:
        """Remove the saved indexes that may hold a row of `owner`'s scope (None: every one, and the temporary files
        of saves that died, which hold vectors too), and keep the indexes in RAM that may hold one from saving
        again: reset and delete_all leave no vector behind."""
        self._retire(owner)
        with self.lock:
            # No save of this process is under way (they hold the lock); a load's link only fails.
            if self._remove_saved(owner) and owner is None:
                _remove(*_ours(self.folder, "*.tmp", TEMP_NAME))


def scope_digest(kind: str, owner: Owner) -> str:
    """A saved file's name for a scope and kind: a digest, so that no user text is ever part of a path."""
    return hashlib.blake2b(json.dumps([kind, list(owner)]).encode("utf-8"), digest_size=16).hexdigest()


class SaveStopped(Exception):
    """A save stopped midway: the store closed, or its scope's files were discarded."""


class SavedFile:
    """One scope's saved pair of files of one kind: what `load` and `save` of each sort share."""

    def __init__(self, files: SavedFiles, kind: str, owner: Owner) -> None:
        self.kind, self.owner = kind, owner
        self.retired = False  # set by SavedFiles' discard: never saved again
        self._files = files
        name = scope_digest(kind, owner)
        self._data = files.folder / f"{name}.{kind}{files.DATA}"
        self._meta = files.folder / f"{name}.{kind}{files.META}"

    def _loaded(self, read: Callable[[], T], instead: str) -> T | None:
        """`read()`, or None when there is no file or one that cannot be used (logged at debug: `instead`)."""
        if not self._meta.exists():
            return None
        try:
            return read()
        except Exception as exc:  # whatever is wrong with the files, the caller only does without them
            logger.debug("the saved %s is not used, %s: %r", self._meta.name, instead, exc)
            return None

    def _saved(self, write: Callable[[Path, Path], None]) -> bool:
        """`write(data, meta)` into two temporary files that it moves into place, under the lock; whether it
        saved. A failure is logged at debug: it costs the next process the slow way."""
        with self._files.lock:
            if self.retired or self._files.closed:
                return False
            temps = [_temp(self._files.folder), _temp(self._files.folder)]
            try:
                # Never the store's own folder (no parents): a store removed is not made again by a save.
                self._files.folder.mkdir(exist_ok=True)
                _sweep(self._files.folder)
                write(*temps)
                return True
            except SaveStopped:
                return False
            except Exception as exc:
                logger.debug("a scope's %s was not saved: %r", self._data.name, exc)
                return False
            finally:
                for temp in temps:
                    temp.unlink(missing_ok=True)


class IndexFile(SavedFile):
    """One scope's saved index of one kind of vector: `load` it, `save` it."""

    def load(self, hnswlib: Any, dims: int, capacity: int) -> Saved | None:
        """The saved index and what it was built over, or None (no file, or one that cannot be used)."""
        return self._loaded(lambda: self._load(hnswlib, dims, capacity), "it is built again")

    def _load(self, hnswlib: Any, dims: int, capacity: int) -> Saved:
        with self._meta.open("rb") as meta:
            header = json.loads(meta.readline())
            expected = {"format": FORMAT, "kind": self.kind, "owner": list(self.owner), "dims": dims,
                        "links": LINKS, "build_ef": BUILD_EF}
            if any(header.get(key) != value for key, value in expected.items()):
                raise ValueError("made for another scope, kind of vector, dimension or build")
            body = json.loads(meta.readline())
        count = header["count"]
        ids, checks, deleted = body["ids"], _checks(body["checks"]), body["deleted"]
        if not (isinstance(count, int) and count > 0 and isinstance(ids, list) and len(ids) == count
                and all(isinstance(i, str) for i in ids) and len(checks) == count and isinstance(deleted, list)
                and all(isinstance(d, int) and 0 <= d < count for d in deleted) and len(set(deleted)) == len(deleted)):
            raise ValueError("its json is not a saved index's")
        index = self._load_index(hnswlib, dims, max(capacity, count), header["sha256"])
        labels = np.sort(np.asarray(index.get_ids_list(), dtype=np.int64))
        if not np.array_equal(labels, np.arange(count)):
            raise ValueError("its labels are not the rows its json lists")
        return Saved(ids, checks, deleted, index)

    def _load_index(self, hnswlib: Any, dims: int, capacity: int, digest: str) -> Any:
        """hnswlib's file, once its digest is the json's; read through a private hard link (a save that
        replaces the file meanwhile leaves the link's bytes as they were)."""
        private = _temp(self._files.folder)
        try:
            try:
                os.link(self._data, private)
            except OSError:  # a file system without hard links
                shutil.copyfile(self._data, private)
            if _sha256(private) != digest:
                raise ValueError("the .hnsw is not the one its json names (a save in progress, or torn)")
            index = hnswlib.Index(space="ip", dim=dims)
            index.load_index(str(private), max_elements=capacity)
            return index
        finally:
            private.unlink(missing_ok=True)

    def save(self, index: HnswIndex, ids: Sequence[str], matrix: NDArray[np.float32]) -> bool:
        """Save the index (on its builder's thread, or at close), labelled by `ids` (of every position) over
        `matrix`'s rows; whether it was saved."""
        return self._saved(lambda data, meta: self._write(index, ids, matrix, data, meta))

    def _write(self, index: HnswIndex, ids: Sequence[str], matrix: NDArray[np.float32], data: Path,
               meta: Path) -> None:
        count, deleted = index.save(str(data))
        digest = _sha256(data)
        checks = checksums(matrix, np.arange(count)).astype("<u8").tobytes()
        header = {"format": FORMAT, "kind": self.kind, "owner": list(self.owner), "dims": int(matrix.shape[1]),
                  "links": LINKS, "build_ef": BUILD_EF, "count": count, "sha256": digest}
        body = {"ids": list(ids[:count]), "checks": base64.b64encode(checks).decode("ascii"), "deleted": deleted}
        meta.write_text(json.dumps(header) + "\n" + json.dumps(body) + "\n", encoding="utf-8")
        os.replace(data, self._data)
        os.replace(meta, self._meta)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()  # (hashlib.file_digest is Python 3.11's)
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _checks(text: Any) -> NDArray[np.uint64]:
    if not isinstance(text, str):
        raise ValueError("its checksums are not text")
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<u8").astype(np.uint64)


def _owner_of(meta: Path) -> list[Any] | None:
    """The scope ids a saved index's json names (its first line only), or None when it cannot be read."""
    try:
        with meta.open("rb") as file:
            owner = json.loads(file.readline()).get("owner")
    except (OSError, ValueError, AttributeError):
        return None
    return owner if isinstance(owner, list) and len(owner) == 3 else None


def _temp(folder: Path) -> Path:
    """A name for a temporary file no other save or load of any process uses."""
    return folder / f"{os.getpid()}-{secrets.token_hex(8)}.tmp"


def _sweep(folder: Path) -> None:
    """Remove what saves and loads that died left (a hard link's ctime is when it was made)."""
    for temp in _ours(folder, "*.tmp", TEMP_NAME):
        try:
            stat = temp.stat()
            if time.time() - max(stat.st_mtime, stat.st_ctime) > STALE_TEMP:
                temp.unlink(missing_ok=True)
        except OSError:
            pass  # another process removed it first


def _ours(folder: Path, pattern: str, name: re.Pattern[str]) -> list[Path]:
    """The files of `folder` matching `pattern` that are named as this module names its files."""
    return [path for path in folder.glob(pattern) if name.fullmatch(path.name)]


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # a reset goes on: a file left is checked against the rows when loaded
            logger.debug("a saved ANN index could not be removed: %r", exc)
