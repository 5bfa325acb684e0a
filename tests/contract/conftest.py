"""The contract suite: the same tests on every backend.

- Kuzu always runs (a fresh database directory per test).
- ArcadeDB always runs: one server per session, started from the `arcadedb-embedded` package
  (a bundled JRE and ArcadeDB's Bolt plugin) on 127.0.0.1, wiped before each test.
- Neo4j runs when GRAPHMEM_NEO4J_URI is set (GRAPHMEM_NEO4J_USER / _PASSWORD / _DATABASE too),
  Memgraph when GRAPHMEM_MEMGRAPH_URI is set (GRAPHMEM_MEMGRAPH_USER / _PASSWORD); otherwise their
  runs are skipped, with the reason in the report. The suite wipes those databases: point the
  variables at throw-away servers only.
"""

from __future__ import annotations

import os
import secrets
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_support import Backend, memory_config

from graphmem import Memory

BACKENDS = ("kuzu", "arcadedb", "neo4j", "memgraph")
ARCADEDB_DATABASE = "graphmem"
ARCADEDB_START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _ArcadeDB:
    """An ArcadeDB server process (tests/contract/arcadedb_server.py) on free ports of 127.0.0.1."""

    def __init__(self, root: Path, password: str) -> None:
        self.bolt_port, http_port = _free_port(), _free_port()
        self.log_path = root / "server.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("arcadedb_server.py")), str(root), str(self.bolt_port),
             str(http_port), ARCADEDB_DATABASE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=root,  # its log/ too
            env={**os.environ, "ARCADEDB_PASSWORD": password})

    def ready(self) -> bool:
        """Whether it printed READY before the timeout (False if it died or hung)."""
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], ARCADEDB_START_TIMEOUT)
        return bool(readable) and self.process.stdout.readline().strip() == "READY"

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # the server's cue to stop
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


@pytest.fixture(scope="session")
def arcadedb_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One ArcadeDB server for the whole session; yields its graph_store config."""
    try:
        import arcadedb_embedded  # noqa: F401
    except ImportError:
        pytest.skip("arcadedb-embedded is not installed (pip install -e '.[dev]')")
    password = secrets.token_hex(12)
    started = time.monotonic()
    for attempt in (1, 2):  # a second try on other ports, should another process have taken one meanwhile
        server = _ArcadeDB(tmp_path_factory.mktemp("arcadedb"), password)
        if server.ready():
            break
        server.stop()
        if attempt == 2:
            pytest.fail(f"ArcadeDB did not start: {server.log_path.read_text()[-2000:]}")
    print(f"\nArcadeDB server up in {time.monotonic() - started:.1f} s on bolt://127.0.0.1:{server.bolt_port}")
    try:
        yield {"provider": "arcadedb", "config": {
            "url": f"bolt://127.0.0.1:{server.bolt_port}", "username": "root", "password": password,
            "database": ARCADEDB_DATABASE}}
    finally:
        server.stop()


def _env_store(provider: str) -> dict[str, Any]:
    prefix = f"GRAPHMEM_{provider.upper()}"
    url = os.environ.get(f"{prefix}_URI")
    if not url:
        pytest.skip(f"{prefix}_URI is not set: no {provider} server to run the contract suite against")
    config = {"url": url, "username": os.environ.get(f"{prefix}_USER"),
              "password": os.environ.get(f"{prefix}_PASSWORD"), "database": os.environ.get(f"{prefix}_DATABASE")}
    return {"provider": provider, "config": {k: v for k, v in config.items() if v}}


@pytest.fixture(params=BACKENDS)
def graph_store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """A clean store of each backend, as a graph_store config."""
    provider = request.param
    if provider == "kuzu":
        return {"provider": "kuzu", "config": {"db": str(tmp_path / "kuzu")}}
    store: dict[str, Any] = (request.getfixturevalue("arcadedb_store") if provider == "arcadedb"
                             else _env_store(provider))
    with Backend(store) as backend:  # wipe what earlier tests left
        backend.reset()
    return store


@pytest.fixture
def mem(graph_store: dict[str, Any]) -> Iterator[Memory]:
    """A Memory on the backend (hash embedder, offline extractor)."""
    with Memory(memory_config(graph_store)) as memory:
        yield memory


@pytest.fixture
def backend(graph_store: dict[str, Any]) -> Iterator[Backend]:
    with Backend(graph_store) as opened:
        yield opened
