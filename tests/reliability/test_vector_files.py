"""A Kuzu store on disk saves its large scopes' vectors beside it (<db>.ann/*.vectors, inprocess/vector_files.py),
and a later Memory (or process) loads the scope's vectors from there, row by row where Kuzu's hash of the row's
vectors is the one saved, the rest from the store. The threshold is lowered so that a small scope counts as large.
Every load is compared with the plain load from the store: the same rows, bit for bit the same vectors, the same
search results. The statements a load runs are recorded by wrapping the backend's `_fetch` (real Kuzu below it)."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphmem import Memory
from graphmem.backends.kuzu import KuzuBackend
from graphmem.inprocess import vectors
from graphmem.inprocess.scopes import ScopeMemories
from graphmem.inprocess.vector_files import Reading, VectorFiles
from graphmem.scope import Scope
from tests.conftest import in_another_process, kuzu_config, saved_copy

TOPICS = ("hiking", "sourdough", "the cello", "chess", "kayaking", "pottery", "Japanese", "surfing")
QUERIES = ("Who likes baking sourdough?", "chess club", "learning an instrument", "water sports by the sea")
ROWS = 240
TURNS = 12  # said one by one, a minute apart, by two speakers: each has a context vector (ingest/context.py)
T0 = 1_700_000_000
DIMS = 256  # the hash embedder's
LOADS = ("vectors_in_scope", "count_in_scope", "vectors_hashed_in_scope", "hashed_in_scope", "vectors_by_id",
         "vectors_of_ids")  # the statements of a memory scope's load


def messages(count: int, user: str = "u", start: int = 0) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"{('Alice', 'Bob')[i % 2]}: {user} friend {i} talks about "
                                        f"{TOPICS[i % len(TOPICS)]} on day {i // len(TOPICS)}. It was a long trip."}
            for i in range(start, count)]


def fill(memory: Memory, user: str = "u", rows: int = ROWS) -> None:
    memory.add(messages(rows - TURNS, user), user_id=user, infer=False)
    for i in range(TURNS):
        said = f"{('Carol', 'Dan')[i % 2]}: {user} turn {i}, we talked about {TOPICS[i % len(TOPICS)]} again"
        memory.add(said, user_id=user, infer=False, timestamp=T0 + 60 * i)


@pytest.fixture()
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The statements the Kuzu backends of this process run, with their parameters."""
    ran: list[tuple[str, dict[str, Any]]] = []
    fetch = KuzuBackend._fetch

    def recorded(self: KuzuBackend, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        ran.append((name, params))
        return fetch(self, name, params)

    monkeypatch.setattr(KuzuBackend, "_fetch", recorded)
    yield ran


def loads(ran: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The statements of memory scope loads among those run."""
    return [n for n, _ in ran if n.startswith("memory/") and n.split("/")[1] in LOADS]


def vector_files(memory: Memory) -> VectorFiles:
    files = memory._async.backend._scopes.vector_files
    assert files is not None
    return files


def scope_of(memory: Memory, user: str = "u") -> ScopeMemories:
    memory.search("load the scope", user_id=user)
    cache = memory._async.backend._scopes
    with cache.lock:
        loaded = cache.get("memory", Scope(user_id=user))
    assert isinstance(loaded, ScopeMemories)
    vector_files(memory).wait(60)  # a save the load started
    return loaded


def saved(db: Path) -> list[str]:
    folder = db.parent / (db.name + ".ann")
    return sorted(p.name.split(".", 1)[1] for p in folder.glob("*.vectors*")) if folder.exists() else []


def snapshot(memory: Memory, user: str = "u") -> dict[str, Any]:
    """What a load put in RAM: each matrix's rows by id (their exact bits), the memories' rows, search results."""
    loaded = scope_of(memory, user)
    held: dict[str, Any] = {"rows": dict(loaded._rows)}
    for name, matrix in (("memory", loaded._vectors), ("parts", loaded._parts), ("context", loaded._contexts)):
        assert matrix is not None and len(matrix) > 0, name
        used = len(matrix._ids)
        bits = matrix._matrix[:used].view(np.uint32)
        held[name] = {row_id: bits[p].tobytes() for p, row_id in enumerate(matrix._ids) if matrix._alive[p]}
    held["answers"] = [[(r["id"], r["score"]) for r in memory.search(q, user_id=user, limit=10)["results"]]
                       for q in QUERIES]
    return held


def plain(db: Path, user: str = "u") -> dict[str, Any]:
    """The snapshot of a load from the store alone (the saved vectors moved away meanwhile)."""
    folder = db.parent / (db.name + ".ann")
    away = db.parent / "away"
    away.mkdir()
    for path in folder.glob("*.vectors*"):
        shutil.move(path, away / path.name)
    try:
        with Memory(kuzu_config(db)) as memory:
            return snapshot(memory, user)
    finally:
        for path in folder.glob("*.vectors*"):
            path.unlink()
        for path in away.iterdir():
            shutil.move(path, folder / path.name)
        away.rmdir()


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose scope "u" is large (the threshold lowered) and was loaded once by a Memory now closed: its
    vectors are saved."""
    monkeypatch.setattr(vectors, "ANN_MIN_ROWS", 100)
    path = tmp_path / "db"
    with Memory(kuzu_config(path)) as memory:
        fill(memory)
    with Memory(kuzu_config(path)) as memory:
        scope_of(memory)
    return path


def test_a_large_scope_saves_its_vectors_and_a_small_one_does_not(db: Path) -> None:
    assert saved(db) == ["memory.vectors", "memory.vectors.json"]
    [meta] = (db.parent / (db.name + ".ann")).glob("*.vectors.json")
    header = json.loads(meta.read_text().splitlines()[0])
    assert header["count"] == ROWS and header["dims"] == DIMS and "u friend" not in meta.name
    with Memory(kuzu_config(db)) as memory:
        fill(memory, "small", rows=TURNS + 40)
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory, "small")
    assert saved(db) == ["memory.vectors", "memory.vectors.json"]


def test_a_second_memory_loads_the_saved_vectors(db: Path, statements: list[tuple[str, Any]]) -> None:
    with Memory(kuzu_config(db)) as memory:
        from_file = snapshot(memory)
    assert loads(statements) == ["memory/hashed_in_scope"]  # every row's vectors from the file
    reference = plain(db)
    assert from_file == reference
    assert len(reference["context"]) >= TURNS - 1 and len(reference["parts"]) >= ROWS


def test_another_process_loads_the_saved_vectors(db: Path) -> None:
    code = (
        "import hashlib, json\n"
        "from graphmem.backends.kuzu import KuzuBackend\n"
        "vectors.ANN_MIN_ROWS = 100\n"
        "ran, fetch = [], KuzuBackend._fetch\n"
        "KuzuBackend._fetch = lambda self, name, params: ran.append(name) or fetch(self, name, params)\n"
        "with Memory(kuzu_config(sys.argv[1])) as memory:\n"
        "    found = memory.search('chess club', user_id='u', limit=10)['results']\n"
        "    loaded = memory._async.backend._scopes.get('memory', Scope(user_id='u'))\n"
        "    held = loaded._vectors\n"
        "    bits = {i: held._matrix[p].tobytes().hex() for i, p in held._position.items()}\n"
        "    ran = [n for n in ran if n.startswith('memory/') and 'scope' in n]\n"
        "    print(json.dumps({'ran': ran, 'found': [r['id'] for r in found],\n"
        "                      'bits': hashlib.sha256(json.dumps(bits, sort_keys=True).encode()).hexdigest()}))\n"
    )
    out = json.loads(in_another_process(code, db).splitlines()[-1])
    assert out["ran"] == ["memory/hashed_in_scope"]
    reference = plain(db)
    held = {i: bits.hex() for i, bits in reference["memory"].items()}
    assert out["bits"] == hashlib.sha256(json.dumps(held, sort_keys=True).encode()).hexdigest()
    assert out["found"] == [i for i, _ in reference["answers"][1]]


def test_rows_added_deleted_and_updated_since_the_save(db: Path, statements: list[tuple[str, Any]]) -> None:
    with Memory(kuzu_config(db)) as memory:
        ids = [r["id"] for r in memory.search("chess club", user_id="u", limit=6)["results"]]
        gone, updated = ids[:3], ids[3:5]
        for memory_id in gone:
            memory.delete(memory_id)
        for memory_id in updated:  # same id, a new text: a new vector
            memory.update(memory_id, text=f"Nadia plays the bassoon in an orchestra, says {memory_id[:4]}")
        added = [r["id"] for r in memory.add(messages(ROWS + 5, start=ROWS), user_id="u", infer=False)["results"]]
    assert len(added) == 5
    statements.clear()
    with Memory(kuzu_config(db)) as memory:
        changed = snapshot(memory)
    assert loads(statements) == ["memory/hashed_in_scope", "memory/vectors_by_id"]
    [by_id] = [params["ids"] for name, params in statements if name == "memory/vectors_by_id"]
    assert sorted(by_id) == sorted(updated + added)  # the deleted rows are ignored
    assert not set(gone) & set(changed["rows"])
    assert [i for i, _ in changed["answers"][3]] != []
    assert changed == plain(db)
    assert json.loads(_meta(db).read_text().splitlines()[0])["count"] == ROWS  # 10 of 240 changed: not saved again


def _meta(db: Path) -> Path:
    [meta] = (db.parent / (db.name + ".ann")).glob("*.vectors.json")
    return meta


def test_the_copy_is_saved_again_once_a_tenth_of_the_rows_changed(db: Path,
                                                                    statements: list[tuple[str, Any]]) -> None:
    with Memory(kuzu_config(db)) as memory:
        memory.add(messages(ROWS + 30, start=ROWS), user_id="u", infer=False)
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory)
    assert json.loads(_meta(db).read_text().splitlines()[0])["count"] == ROWS + 30
    statements.clear()
    with Memory(kuzu_config(db)) as memory:
        again = snapshot(memory)
    assert loads(statements) == ["memory/hashed_in_scope"]
    assert again == plain(db)


@pytest.mark.parametrize("damage", ["truncated data", "flipped byte", "truncated json", "json not json",
                                    "data missing", "another scope's", "other dims", "other format"])
def test_a_torn_corrupt_or_foreign_copy_is_not_used(db: Path, damage: str, statements: list[tuple[str, Any]]) -> None:
    meta = _meta(db)
    data = meta.with_suffix("")
    header, body = meta.read_text().splitlines()
    if damage == "truncated data":
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    elif damage == "flipped byte":
        raw = bytearray(data.read_bytes())
        raw[len(raw) // 3] ^= 0x01
        data.write_bytes(bytes(raw))
    elif damage == "truncated json":
        meta.write_bytes(meta.read_bytes()[:300])
    elif damage == "json not json":
        meta.write_bytes(b"\x00\xff garbage")
    elif damage == "data missing":
        data.unlink()
    else:
        change = {"another scope's": {"owner": ["v", None, None]}, "other dims": {"dims": 128},
                  "other format": {"format": 99}}[damage]
        meta.write_text(json.dumps({**json.loads(header), **change}) + "\n" + body + "\n")
    with Memory(kuzu_config(db)) as memory:
        fallen_back = snapshot(memory)
    # A copy whose json's first line names the scope is read and checked while the scope's rows are read.
    read_first = ["memory/hashed_in_scope"] if damage in ("truncated data", "flipped byte", "truncated json") else []
    assert loads(statements) == [*read_first, "memory/count_in_scope", "memory/vectors_hashed_in_scope"]
    assert fallen_back == plain(db)
    assert json.loads(_meta(db).read_text().splitlines()[0])["owner"] == ["u", None, None]  # saved in its place


def test_a_memory_without_an_embedding_keeps_the_copy_in_use(db: Path, statements: list[tuple[str, Any]]) -> None:
    """An old store (or one edited by hand) may hold a memory with no embedding. The copy saved after its load holds
    it with none; the next loads take the copy as it is (that row made one by one), and neither read the vectors
    from the store again nor save the copy again."""
    import kuzu

    store = kuzu.Database(str(db))
    try:
        found = kuzu.Connection(store).execute(
            "MATCH (m:Memory) WHERE m.user_id = 'u' WITH m ORDER BY m.id LIMIT 1 SET m.embedding = NULL RETURN m.id")
        [[victim]] = found.get_all() if isinstance(found, kuzu.QueryResult) else []
    finally:
        store.close()
    for path in (db.parent / (db.name + ".ann")).glob("*.vectors*"):  # saved again from that store
        path.unlink()
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory)
    data = _meta(db).with_suffix("")
    before = (data.stat().st_mtime_ns, hashlib.sha256(data.read_bytes()).hexdigest())
    statements.clear()
    for _ in range(2):
        with Memory(kuzu_config(db)) as memory:
            from_copy = snapshot(memory)
    assert loads(statements) == ["memory/hashed_in_scope"] * 2
    assert (data.stat().st_mtime_ns, hashlib.sha256(data.read_bytes()).hexdigest()) == before
    reference = plain(db)
    assert victim not in from_copy["memory"] and victim in from_copy["rows"]
    for key in ("memory", "parts", "context", "answers"):
        assert from_copy[key] == reference[key], key
    assert sorted(from_copy["rows"]) == sorted(reference["rows"])


def test_the_copy_is_read_on_a_thread_named_as_graphmem_threads_are() -> None:
    def torn() -> Any:
        raise ValueError("a torn copy")

    reading = Reading(torn, "abc.memory.vectors.json")
    assert reading.name == "graphmem-vectors-read"
    assert reading.result() is None and not reading.is_alive()


def test_a_copy_of_other_rows_is_not_used(db: Path, statements: list[tuple[str, Any]]) -> None:
    """The store made again with the same scope: every row's id is new, the copy's rows are all stale."""
    folder = db.parent / (db.name + ".ann")
    keep = db.parent / "kept"
    shutil.copytree(folder, keep)
    shutil.rmtree(folder)
    for path in db.parent.glob(db.name + "*"):  # the store's file and its write-ahead log
        path.unlink()
    with Memory(kuzu_config(db)) as memory:
        fill(memory)
    folder.mkdir(exist_ok=True)
    for path in keep.glob("*.vectors*"):
        shutil.copy(path, folder / path.name)
    statements.clear()
    with Memory(kuzu_config(db)) as memory:
        snapshot(memory)
    assert loads(statements) == ["memory/hashed_in_scope", "memory/count_in_scope", "memory/vectors_hashed_in_scope"]


def test_reset_removes_the_saved_vectors(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory)
        memory.reset()
    assert saved(db) == []


def test_delete_all_removes_the_saved_vectors_of_its_scope(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        fill(memory, "w", rows=TURNS + 120)
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory, "w")
        assert len(saved(db)) == 4
        memory.delete_all(user_id="u")
        assert saved(db) == ["memory.vectors", "memory.vectors.json"]  # w's
        assert "w" in _meta(db).read_text().splitlines()[0]


def test_nothing_is_saved_after_the_store_closed(db: Path) -> None:
    folder = db.parent / (db.name + ".ann")
    with Memory(kuzu_config(db)) as memory:
        scope_of(memory)
        files = vector_files(memory)
        file = files.of("memory", ("u", None, None))
        copy = saved_copy(file, DIMS)
        assert copy is not None
        entries = [(row_id, copy.hashes[p], copy.vectors(p)) for row_id, p in copy.at.items()]
    shutil.rmtree(folder)
    assert file.save(entries) is False
    files.save_later(file, entries)
    files.wait(60)
    assert not folder.exists()


def test_a_save_under_way_stops_at_a_reset(tmp_path: Path) -> None:
    files = VectorFiles(tmp_path / "db.ann")
    file = files.of("memory", ("u", None, None))
    entries = [(f"id{i}", (i, 1, 2), ([0.5] * 8, None, None)) for i in range(3000)]
    saver = threading.Thread(target=file.save, args=(entries,))
    with files.lock:  # the save waits for the lock (a discard holds it), then finds its scope's files discarded
        saver.start()
        file.retired = True
    saver.join(60)
    assert not list((tmp_path / "db.ann").glob("*.vectors*"))
    assert files.of("memory", ("u", None, None)).save(entries) is True
    loaded = saved_copy(files.of("memory", ("u", None, None)), 8)
    assert loaded is not None and loaded.hashes[7].tolist() == [7, 1, 2] and loaded.vectors(7)[0].tolist() == [0.5] * 8
    files.discard(("u", None, None))
    assert not list((tmp_path / "db.ann").iterdir())
