"""A Kuzu store on disk saves its large scopes' approximate indexes beside it (<db>.ann/), and a later Memory
(or process) on it loads them instead of building them. The threshold is lowered so that a small scope gets an
index. The loaded scopes are reached through the backend's cache: whether an index was loaded or built has no
public surface."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphmem import Memory
from graphmem.inprocess import vectors
from graphmem.inprocess.scopes import ScopeMemories
from graphmem.inprocess.vectors import ScopeVectors
from graphmem.scope import Scope
from tests.conftest import in_another_process, kuzu_config

TOPICS = ("hiking", "sourdough", "the cello", "chess", "kayaking", "pottery", "Japanese", "surfing")
QUERIES = ("Who likes baking sourdough?", "chess club", "learning an instrument", "water sports by the sea")
ROWS = 240


def messages(count: int, user: str = "u") -> list[dict[str, str]]:
    return [{"role": "user", "content": f"{user} friend {i} talks about {TOPICS[i % len(TOPICS)]} on day "
                                        f"{i // len(TOPICS)}. It was a long trip."} for i in range(count)]


def scope_of(memory: Memory, user: str = "u") -> ScopeMemories:
    memory.search("load the scope", user_id=user)
    cache = memory._async.backend._scopes
    with cache.lock:
        loaded = cache.get("memory", Scope(user_id=user))
    assert isinstance(loaded, ScopeMemories)
    return loaded


def matrices(loaded: ScopeMemories) -> list[ScopeVectors]:
    """The scope's memory vectors and its memories' sentence vectors (each saved in a file of its own)."""
    parts = loaded._parts
    assert parts is not None
    return [loaded._vectors, parts]


def answers(memory: Memory, user: str = "u") -> list[list[str]]:
    return [[r["id"] for r in memory.search(q, user_id=user, limit=10)["results"]] for q in QUERIES]


def exact_everywhere(matrix: ScopeVectors) -> None:
    """The index's answers are the exact scan's, for vectors of the scope's own rows: the same scores, and the
    same rows above the last score (every memory ends with the same sentence: hundreds of its vectors tie, more
    than the index proposes)."""
    for position in range(0, len(matrix), 17):
        if matrix.id_at(position) in matrix:
            query = matrix._matrix[position].tolist()
            found, exact = matrix.top(query, 10), matrix.exact_top(query, 10)
            assert [r["similarity"] for r in found] == [r["similarity"] for r in exact]
            last = exact[-1]["similarity"]
            assert {r["id"] for r in found if r["similarity"] > last} == {r["id"] for r in exact
                                                                          if r["similarity"] > last}


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose scope "u" has an index, built and saved by a Memory now closed; its answers beside it."""
    monkeypatch.setattr(vectors, "ANN_MIN_ROWS", 100)
    path = tmp_path / "db"
    with Memory(kuzu_config(path)) as memory:
        memory.add(messages(ROWS), user_id="u", infer=False)
        for matrix in matrices(scope_of(memory)):
            assert matrix.wait_for_index(timeout=120)
        (tmp_path / "answers.json").write_text(json.dumps(answers(memory)))
    return path


def saved_files(db: Path) -> list[str]:
    folder = db.parent / (db.name + ".ann")
    return sorted(p.name.split(".", 1)[1] for p in folder.iterdir()) if folder.exists() else []


def test_the_index_is_saved_beside_the_store(db: Path) -> None:
    assert saved_files(db) == ["memory.hnsw", "memory.json", "parts.hnsw", "parts.json"]


def test_a_second_memory_loads_the_saved_index(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        loaded = scope_of(memory)
        for matrix in matrices(loaded):
            assert matrix.adopted == len(matrix) > 100  # loaded, not built: it holds every row at once
            assert matrix._ann is not None and matrix._ann.indexed == len(matrix)
            exact_everywhere(matrix)
        assert answers(memory) == json.loads((db.parent / "answers.json").read_text())


def test_rows_added_and_deleted_after_the_save(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        first = answers(memory)
        gone = [ids[0] for ids in first]
        for memory_id in gone:
            memory.delete(memory_id)
        added = memory.add("Who likes baking sourdough? Maria does, every Sunday", user_id="u", infer=False)
        memory.add(messages(8, user="later"), user_id="u", infer=False)
    with Memory(kuzu_config(db)) as memory:
        loaded = scope_of(memory)
        held = loaded._vectors
        # Saved again at close (rows were deleted): with the 9 added or, when the close stopped the builder
        # before it reached them, without; the deleted rows are dead labels either way.
        assert held.adopted in (ROWS, ROWS + 9) and len(held) == ROWS - len(gone) + 9
        assert held._ann is not None and held._ann.dead == len(gone)
        exact_everywhere(held)
        now = answers(memory)
        assert now[0][0] == added["results"][0]["id"]
        assert not set(gone) & {i for ids in now for i in ids}


def test_an_update_is_saved_at_close_and_its_old_vector_never_found(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        target = answers(memory)[1][0]  # the chess club's best memory
        memory.update(target, text="Nadia plays the bassoon in an orchestra every Friday")
    with Memory(kuzu_config(db)) as memory:
        held = scope_of(memory)._vectors
        assert held.adopted == ROWS + 1  # saved at close, one row grown: its old label dead, its new one live
        assert held._ann is not None and held._ann.dead == 1
        exact_everywhere(held)
        assert answers(memory)[1][0] != target
        found = memory.search("who plays the bassoon", user_id="u", limit=1)["results"]
        assert [r["id"] for r in found] == [target]


def test_a_truncated_index_is_ignored(db: Path) -> None:
    [data] = (db.parent / (db.name + ".ann")).glob("*.memory.hnsw")
    data.write_bytes(data.read_bytes()[:1000])
    with Memory(kuzu_config(db)) as memory:
        held = scope_of(memory)._vectors
        assert held.adopted == 0
        assert answers(memory) == json.loads((db.parent / "answers.json").read_text())


def test_reset_removes_the_saved_indexes(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        memory.reset()
    assert saved_files(db) == []


def test_delete_all_removes_the_saved_indexes_of_its_scope(db: Path) -> None:
    with Memory(kuzu_config(db)) as memory:
        memory.add(messages(120, user="w"), user_id="w", infer=False)
        for matrix in matrices(scope_of(memory, "w")):
            assert matrix.wait_for_index(timeout=120)
        assert len(saved_files(db)) == 8  # u's and w's memories and sentences
        memory.delete_all(user_id="u")
        assert saved_files(db) == ["memory.hnsw", "memory.json", "parts.hnsw", "parts.json"]  # w's
        assert memory.get_all(user_id="u")["results"] == []


def test_another_process_loads_the_saved_index(db: Path) -> None:
    code = (
        "vectors.ANN_MIN_ROWS = 100\n"
        "with Memory(kuzu_config(sys.argv[1])) as memory:\n"
        "    memory.search('sourdough', user_id='u')\n"
        "    loaded = memory._async.backend._scopes.get('memory', Scope(user_id='u'))\n"
        "    print(loaded._vectors.adopted, loaded._vectors._ann.indexed)\n"
    )
    assert in_another_process(code, db).split() == [str(ROWS), str(ROWS)]


def test_an_in_memory_store_saves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN_ROWS", 100)
    monkeypatch.chdir(tmp_path)
    with Memory(kuzu_config(":memory:")) as memory:
        memory.add(messages(120), user_id="u", infer=False)
        assert scope_of(memory)._vectors.wait_for_index(timeout=120)
    assert not list(tmp_path.iterdir())
