"""Saved approximate indexes: a scope loaded again takes its saved index when it fits the rows (in any load order,
with rows added and deleted since), and builds one as before when the files are torn, foreign or stale."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
import pytest

from graphmem.inprocess import vectors as vectors_module
from graphmem.inprocess.ann_files import IndexFiles
from graphmem.inprocess.cache import ScopeCache
from graphmem.inprocess.entities import ScopeEntities
from graphmem.inprocess.vectors import ScopeVectors, VectorRow
from graphmem.scope import Scope
from tests.unit.test_ann_index import DIMS, OWNER, clustered, rows

MIN_ROWS = 500


def loaded(files: IndexFiles, scope_rows: list[VectorRow], kind: str = "memory") -> ScopeVectors:
    """The scope as a process loads it: its rows, then settle (which takes the saved index if it fits)."""
    vectors = ScopeVectors(DIMS, scope_rows, ann_min_rows=MIN_ROWS, saved=files.of(kind, OWNER))
    vectors.settle()
    return vectors


def built(files: IndexFiles, scope_rows: list[VectorRow]) -> ScopeVectors:
    vectors = loaded(files, scope_rows)
    assert vectors.wait_for_index(timeout=120)
    return vectors


def ids(found: list[dict[str, object]]) -> list[object]:
    return [row["id"] for row in found]


def agrees_with_the_exact_scan(vectors: ScopeVectors, seed: int) -> None:
    queries = clustered(30, seed)
    found = [(ids(vectors.top(q.tolist(), 10)), ids(vectors.exact_top(q.tolist(), 10))) for q in queries]
    assert np.mean([len(set(a) & set(e)) / 10 for a, e in found]) >= 0.97


def index_of(vectors: ScopeVectors) -> tuple[int, int]:
    """(rows indexed, rows marked dead) of the scope's index, as the scope holds it now."""
    ann = vectors._ann
    assert ann is not None
    return ann.indexed, ann.dead


@pytest.fixture()
def files(tmp_path: Path) -> IndexFiles:
    return IndexFiles(tmp_path / "store.ann")


@pytest.fixture()
def saved(files: IndexFiles) -> list[VectorRow]:
    """A scope of 1,200 rows whose index was built and saved."""
    scope_rows = rows(clustered(1200, 1))
    built(files, scope_rows)
    assert len(list(files.folder.glob("*.memory.hnsw"))) == 1
    return scope_rows


def test_a_saved_index_is_loaded_whatever_the_load_order(files: IndexFiles, saved: list[VectorRow]) -> None:
    shuffled = saved[:]
    random.Random(2).shuffle(shuffled)  # the store returns rows in an order it does not promise
    vectors = loaded(files, shuffled)
    assert vectors.adopted == 1200
    assert index_of(vectors) == (1200, 0)  # right after the load: nothing was built
    agrees_with_the_exact_scan(vectors, 3)
    for row in shuffled[:50]:  # each row's own vector finds it: labels name the right rows
        assert ids(vectors.top(list(row.embedding or ()), 1)) == [row.id]


def test_rows_added_and_deleted_since_the_save(files: IndexFiles, saved: list[VectorRow]) -> None:
    kept = saved[100:]
    new = rows(clustered(150, 4), prefix="new")
    vectors = loaded(files, [*new[:70], *kept, *new[70:]])
    assert vectors.adopted == 1200
    assert index_of(vectors)[1] == 100  # the rows deleted since are dead places
    probe = new[0]
    assert ids(vectors.top(list(probe.embedding or ()), 1)) == [probe.id]  # before the builder reaches it
    agrees_with_the_exact_scan(vectors, 5)
    vectors.wait_for_index(timeout=120)
    assert index_of(vectors) == (1350, 100)
    assert not {r.id for r in saved[:100]} & {i for q in clustered(20, 6) for i in ids(vectors.top(q.tolist(), 50))}
    agrees_with_the_exact_scan(vectors, 7)


def test_an_index_saved_again_after_growing(files: IndexFiles, saved: list[VectorRow]) -> None:
    grown = [*saved, *rows(clustered(400, 8), prefix="new")]
    vectors = loaded(files, grown)
    vectors.wait_for_index(timeout=120)  # grew by a third: saved again when caught up
    again = loaded(files, grown)
    assert again.adopted == 1600
    assert index_of(again) == (1600, 0)


def test_too_many_rows_deleted_since_the_save_builds_it_again(files: IndexFiles, saved: list[VectorRow]) -> None:
    vectors = loaded(files, saved[400:] + rows(clustered(300, 9), prefix="new"))
    assert vectors.adopted == 0
    vectors.wait_for_index(timeout=120)
    agrees_with_the_exact_scan(vectors, 10)


def only(files: IndexFiles, suffix: str) -> Path:
    [path] = files.folder.glob(f"*{suffix}")
    return path


@pytest.mark.parametrize("damage", ["truncated index", "flipped byte", "truncated json", "json not json",
                                    "index missing", "json of another index"])
def test_a_torn_or_corrupt_file_is_ignored(files: IndexFiles, saved: list[VectorRow], damage: str) -> None:
    data, meta = only(files, ".hnsw"), only(files, ".json")
    if damage == "truncated index":
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    elif damage == "flipped byte":
        raw = bytearray(data.read_bytes())
        raw[len(raw) // 3] ^= 0xFF
        data.write_bytes(bytes(raw))
    elif damage == "truncated json":
        meta.write_bytes(meta.read_bytes()[:300])
    elif damage == "json not json":
        meta.write_bytes(b"\x00\xff garbage")
    elif damage == "index missing":
        data.unlink()
    else:  # a save torn between its two files: the json is of an index not written
        header, body = meta.read_text().splitlines()
        meta.write_text(json.dumps({**json.loads(header), "sha256": "0" * 64}) + "\n" + body + "\n")
    vectors = loaded(files, saved)
    assert vectors.adopted == 0
    vectors.wait_for_index(timeout=120)
    agrees_with_the_exact_scan(vectors, 11)
    assert loaded(files, saved).adopted == 1200  # the index built instead was saved in its place


def test_a_file_whose_ids_do_not_match_is_ignored(files: IndexFiles, saved: list[VectorRow]) -> None:
    renamed = [VectorRow(f"other{i}", OWNER, r.embedding) for i, r in enumerate(saved)]
    assert loaded(files, renamed).adopted == 0


def test_a_file_built_over_other_vectors_is_ignored(files: IndexFiles, saved: list[VectorRow]) -> None:
    moved = [VectorRow(r.id, OWNER, v.tolist()) for r, v in zip(saved, clustered(len(saved), 12), strict=True)]
    vectors = loaded(files, moved)  # same ids (an import into a store made again), vectors not the same
    assert vectors.adopted == 0
    vectors.wait_for_index(timeout=120)
    agrees_with_the_exact_scan(vectors, 13)


def test_a_file_of_another_scope_is_ignored(files: IndexFiles, saved: list[VectorRow]) -> None:
    other = ScopeVectors(DIMS, saved, ann_min_rows=MIN_ROWS, saved=files.of("memory", ("v", None, None)))
    other.settle()
    assert other.adopted == 0
    only(files, ".memory.json").rename(files.folder / "x.memory.json")  # a file under another scope's name
    assert loaded(files, saved).adopted == 0


def test_another_kind_of_vector_is_another_file(files: IndexFiles, saved: list[VectorRow]) -> None:
    assert loaded(files, saved, kind="parts").adopted == 0
    assert loaded(files, saved, kind="memory").adopted == 1200


def test_discard_removes_the_files_of_overlapping_scopes(files: IndexFiles, saved: list[VectorRow]) -> None:
    files.discard(("someone else", None, None))
    assert loaded(files, saved).adopted == 1200
    files.discard((None, "an agent", None))  # the saved scope (user u, any agent) may hold that agent's rows
    assert not list(files.folder.glob("*.hnsw")) and not list(files.folder.glob("*.json"))


def test_a_discarded_scope_in_ram_is_never_saved_again(files: IndexFiles) -> None:
    vectors = ScopeVectors(DIMS, ann_min_rows=MIN_ROWS, saved=files.of("memory", OWNER))
    vectors.settle()
    files.discard(None)
    vectors.extend(rows(clustered(800, 14)))
    vectors.wait_for_index(timeout=120)
    assert not files.folder.exists() or not list(files.folder.iterdir())


def test_without_a_folder_nothing_is_saved(tmp_path: Path) -> None:
    vectors = ScopeVectors(DIMS, rows(clustered(800, 15)), ann_min_rows=MIN_ROWS)
    assert vectors.wait_for_index(timeout=120)
    assert not list(tmp_path.iterdir())


def test_a_build_cut_short_by_close_is_saved_and_finished_by_the_next_load(files: IndexFiles) -> None:
    scope_rows = rows(clustered(6000, 16))  # ~3 chunks of the builder: close comes before the last
    vectors = loaded(files, scope_rows)
    while index_of(vectors)[0] == 0:  # its first chunk (a chunk takes 10-100 ms here)
        time.sleep(0.005)
    vectors.close()
    indexed = index_of(vectors)[0]
    assert 0 < indexed < 6000
    again = loaded(files, scope_rows)
    assert again.adopted == indexed
    again.wait_for_index(timeout=120)
    assert index_of(again) == (6000, 0)
    agrees_with_the_exact_scan(again, 17)


def test_a_json_whose_deleted_labels_are_not_the_index_s_is_ignored(files: IndexFiles) -> None:
    scope_rows = rows(clustered(1200, 18))
    vectors = built(files, scope_rows)
    vectors.remove([r.id for r in scope_rows[:10]])
    assert vectors._ann is not None
    assert files.of("memory", OWNER).save(vectors._ann, vectors._ids, vectors._matrix)
    meta = only(files, ".json")
    header, body = meta.read_text().splitlines()
    assert json.loads(body)["deleted"] == list(range(10))
    meta.write_text(header + "\n" + json.dumps({**json.loads(body), "deleted": []}) + "\n")
    assert loaded(files, scope_rows[10:]).adopted == 0  # marking them deleted again fails: not used


def test_a_row_updated_since_the_save_is_a_dead_label_and_indexed_again(files: IndexFiles,
                                                                        saved: list[VectorRow]) -> None:
    vector = clustered(1, 19)[0]  # an update: memory/delete and memory/create of the same id, a new vector
    updated = [VectorRow(r.id, OWNER, vector.tolist()) if r.id == "m5" else r for r in saved]
    vectors = loaded(files, updated)
    assert vectors.adopted == 1200
    assert index_of(vectors)[1] == 1  # its saved label names the old vector: dead, never proposed
    assert ids(vectors.top(vector.tolist(), 1)) == ["m5"]
    vectors.wait_for_index(timeout=120)
    assert index_of(vectors) == (1201, 1)
    assert ids(vectors.top(vector.tolist(), 1)) == ["m5"]
    assert ids(vectors.top(list(saved[5].embedding or ()), 1)) != ["m5"]
    agrees_with_the_exact_scan(vectors, 20)


def test_an_update_since_the_last_save_is_saved_at_close(files: IndexFiles, saved: list[VectorRow]) -> None:
    vectors = loaded(files, saved)
    vectors.wait_for_index(timeout=120)
    new = VectorRow("m7", OWNER, clustered(1, 21)[0].tolist())
    vectors.remove(["m7"])
    vectors.extend([new])  # one row: far less than the growth that saves it when caught up
    vectors.wait_for_index(timeout=120)
    vectors.close()
    again = loaded(files, [new if r.id == "m7" else r for r in saved])
    assert again.adopted == 1201  # the file written at close: its old label of m7 dead, its new one live
    assert index_of(again) == (1201, 1)
    assert ids(again.top(list(new.embedding or ()), 1)) == ["m7"]


def test_a_scope_closed_unchanged_writes_nothing(files: IndexFiles, saved: list[VectorRow]) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in files.folder.iterdir()}
    vectors = loaded(files, saved)
    vectors.close()
    assert {p.name: p.stat().st_mtime_ns for p in files.folder.iterdir()} == before


@pytest.mark.parametrize("dropped_by", ["forget", "eviction"])
def test_a_scope_dropped_from_the_cache_stops_building_and_never_saves(
        files: IndexFiles, monkeypatch: pytest.MonkeyPatch, dropped_by: str) -> None:
    monkeypatch.setattr(vectors_module, "ANN_MIN_ROWS", MIN_ROWS)
    cache = ScopeCache(DIMS, max_rows=7000, files=files)
    with cache.lock:
        dropped = cache.put("entity", Scope(user_id="u"), rows(clustered(6000, 22)))  # ~3 chunks of the builder
        if dropped_by == "forget":  # entity/drop_mentions of an update or delete, say
            cache.forget("entity")
        else:
            cache.put("entity", Scope(user_id="v"), rows(clustered(1200, 23), prefix="v"))
    assert isinstance(dropped, ScopeVectors)
    dropped.wait_for_index(timeout=120)
    cache.close()
    assert index_of(dropped)[0] < 6000  # it stopped after its chunk
    owners = [json.loads(meta.read_text().splitlines()[0])["owner"] for meta in files.folder.glob("*.json")]
    assert ["u", None, None] not in owners


def test_a_closed_folder_is_never_written(files: IndexFiles) -> None:
    vectors = ScopeVectors(DIMS, ann_min_rows=MIN_ROWS, saved=files.of("memory", OWNER))
    vectors.settle()
    files.close()  # the store closed: a scope built by now (one the cache dropped) must not write the folder
    vectors.extend(rows(clustered(800, 24)))
    vectors.wait_for_index(timeout=120)
    vectors.close()
    assert not files.folder.exists()


def test_a_save_never_makes_the_store_s_folder_again(tmp_path: Path) -> None:
    files = IndexFiles(tmp_path / "removed store" / "db.ann")
    vectors = loaded(files, rows(clustered(800, 25)))
    vectors.wait_for_index(timeout=120)
    vectors.close()
    assert not (tmp_path / "removed store").exists()


def test_a_reset_removes_the_temporary_files_of_saves_that_died(files: IndexFiles, saved: list[VectorRow]) -> None:
    data = only(files, ".hnsw")
    dead_save = files.folder / "123-0123456789abcdef.tmp"  # a save that died holds the vectors, as the .hnsw does
    dead_save.write_bytes(data.read_bytes())
    files.discard(("someone else", None, None))  # another scope's delete_all: whose it is is not known
    assert dead_save.exists()
    files.discard(None)
    assert not list(files.folder.iterdir())


def test_discard_removes_only_files_named_as_graphmem_names_them(files: IndexFiles, saved: list[VectorRow]) -> None:
    others = {"notes.json": "{not json", "settings.json": "{}", "model.hnsw": "x", "draft.tmp": "x"}
    for name, text in others.items():
        (files.folder / name).write_text(text)
    files.discard(None)
    assert sorted(p.name for p in files.folder.iterdir()) == sorted(others)


def test_entities_sharing_a_name_keep_the_load_order_when_the_saved_index_moves_them(
        files: IndexFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "ANN_MIN_ROWS", MIN_ROWS)

    def entity(entity_id: str, vector: np.ndarray | None, name: str) -> VectorRow:
        return VectorRow(entity_id, OWNER, None if vector is None else vector.tolist(), name=name, names=[name],
                         record={"id": entity_id, "name": name})

    vectors = clustered(1201, 26)
    scope_rows = [entity("old", None, "paris"),  # stored without an embedding: a dead label, never matched
                  *(entity(f"e{i}", v, f"n{i}") for i, v in enumerate(vectors[:1200])),
                  entity("new", vectors[1200], "paris")]
    first = ScopeEntities(DIMS, scope_rows, saved=files.of("entity", OWNER))
    first.wait_for_index(timeout=120)
    again = ScopeEntities(DIMS, scope_rows, saved=files.of("entity", OWNER))
    assert again.adopted == 1202 and again.position("old") == 1202  # after the labels: a row they do not hold
    assert [r["id"] for r in again.by_names(["paris"], OWNER) or []] == ["old", "new"]  # the store's scan order
