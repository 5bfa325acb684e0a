"""A real graphmem server (uvicorn on 127.0.0.1, a free port) on a real Kuzu store, and keys made by the
`graphmem keys create` command."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from graphmem.server.app import ServerSettings, create_app
from graphmem.server.commands import register


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RunningServer:
    """uvicorn serving create_app(config) in a thread; `stop()` shuts it down as Ctrl-C would."""

    def __init__(self, config: dict[str, Any], settings: ServerSettings, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self._server = uvicorn.Server(uvicorn.Config(create_app(config, settings), host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, name="graphmem-test-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


def create_key(state: Path, org: str, project: str, *users: str) -> str:
    """A key from the `graphmem keys create` command (its --json output)."""
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    args = ["keys", "create", "--org", org, "--project", project, "--state", str(state), "--json"]
    for user in users:
        args += ["--user-id", user]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    key: str = json.loads(result.stdout)["key"]
    return key


@pytest.fixture
def server_factory(tmp_path: Path, config_for: Callable[..., dict[str, Any]]
                   ) -> Iterator[Callable[..., RunningServer]]:
    """`server_factory(**settings)`: a server on this test's store; every one started is stopped."""
    started: list[RunningServer] = []

    def start(port: int | None = None, **settings: Any) -> RunningServer:
        options = {"state_path": tmp_path / "state.sqlite3", "rate_per_minute": 6000.0, "rate_burst": 1000,
                   **settings}
        server = RunningServer(config_for(tmp_path / "db"), ServerSettings(**options), port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    return server_factory()


@pytest.fixture
def key_for(tmp_path: Path) -> Callable[..., str]:
    """`key_for(org, project, *user_ids)`: a new key in the test server's state file."""
    return lambda org, project, *users: create_key(tmp_path / "state.sqlite3", org, project, *users)


@pytest.fixture
def no_mem0_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """mem0's client reads MEM0_TELEMETRY when it is first imported: set before any import of it."""
    monkeypatch.setenv("MEM0_TELEMETRY", "false")
    monkeypatch.setenv("MEM0_DIR", "/tmp/graphmem-tests-mem0")


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    """One server (and a key for acme/p1) for a whole module, for tests that make many requests."""
    folder = tmp_path_factory.mktemp("shared-server")
    settings = ServerSettings(state_path=folder / "state.sqlite3", rate_per_minute=60_000.0, rate_burst=10_000)
    config = {"graph_store": {"provider": "kuzu", "config": {"db": str(folder / "db")}},
              "embedder": {"provider": "hash"}}
    server = RunningServer(config, settings)
    try:
        yield server, create_key(folder / "state.sqlite3", "acme", "p1")
    finally:
        server.stop()
