"""Shared fixtures: Memories on real Kuzu databases, always closed.

- `memory`: a sync `Memory` on Kuzu `:memory:` with the hash embedder (fast, deterministic).
- `disk_memory`: the same on a database directory under `tmp_path`.
- `any_memory`: runs a test once with each of the two above.
- `semantic_memory`: one session-wide `Memory` with the real default embedder (all-MiniLM-L6-v2);
  tests that use it are marked `slow` and each uses its own user_id.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from graphmem import Memory

if TYPE_CHECKING:
    from graphmem.inprocess.vector_files import Saved, VectorFile

HASH_EMBEDDER = {"provider": "hash"}


def kuzu_config(db: str | Path, *, embedder: dict[str, Any] | None = HASH_EMBEDDER) -> dict[str, Any]:
    """A Memory config on the Kuzu database `db` (a directory or ':memory:'), hash embedder unless told."""
    config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {"db": str(db)}}}
    if embedder is not None:
        config["embedder"] = embedder
    return config


def saved_copy(file: VectorFile, dims: int) -> Saved | None:
    """A scope's saved vectors as a load gets them: read and checked (None: no copy, or one it cannot use)."""
    reading = file.read(dims)
    return None if reading is None else reading.result()


# What a second process's snippet starts with (`in_another_process`); the snippet makes its scopes big itself
# (`vectors.ANN_MIN_ROWS = ...`), after whatever it imports first.
_PROCESS_PRELUDE = (
    "import sys\n"
    "from graphmem import Memory\n"
    "from graphmem.inprocess import vectors\n"
    "from graphmem.scope import Scope\n"
    "from tests.conftest import kuzu_config\n"
)


def in_another_process(code: str, db: Path) -> str:
    """What `code` prints, run in a new Python process on the store `db` (`sys.argv[1]`), past `_PROCESS_PRELUDE`:
    what a process that did not write the store loads from it."""
    done = subprocess.run([sys.executable, "-c", _PROCESS_PRELUDE + code, str(db)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="session", autouse=True)
def _graphmem_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Nothing a test does may write to the real ~/.graphmem."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRAPHMEM_DIR", str(tmp_path_factory.mktemp("graphmem-home")))
        yield


@pytest.fixture
def config_for() -> Callable[..., dict[str, Any]]:
    """`config_for(db)`: the hash-embedder config on a Kuzu database, for tests that open their own Memory."""
    return kuzu_config


@pytest.fixture
def memory() -> Iterator[Memory]:
    with Memory(kuzu_config(":memory:")) as mem:
        yield mem


@pytest.fixture
def disk_memory(tmp_path: Path) -> Iterator[Memory]:
    with Memory(kuzu_config(tmp_path / "db")) as mem:
        yield mem


@pytest.fixture(params=["memory", "disk_memory"], ids=["in-memory", "on-disk"])
def any_memory(request: pytest.FixtureRequest) -> Memory:
    mem: Memory = request.getfixturevalue(request.param)
    return mem


@pytest.fixture(scope="session")
def semantic_memory() -> Iterator[Memory]:
    """The default local embedder (all-MiniLM-L6-v2), loaded once for the whole session."""
    with Memory(kuzu_config(":memory:", embedder=None)) as mem:
        yield mem


@pytest.fixture
def user() -> str:
    """A user_id no other test uses (for the session-wide Memory)."""
    return f"user-{uuid.uuid4().hex[:12]}"
