"""`--workers N` (for Neo4j/Memgraph): N processes answer on one port. Kuzu allows one owning process, so
each worker here has its own `:memory:` store: this checks the process and socket plumbing, not sharing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graphmem.server.state import ServerState

SCRIPT = """
import json, sys
from graphmem.server.app import ServerSettings
from graphmem.server.workers import serve_workers
spec = json.loads(sys.argv[1])
serve_workers(spec["config"], ServerSettings(state_path=spec["state"]), "127.0.0.1", spec["port"], 2)
"""


def test_two_workers_answer_on_one_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = ServerState(tmp_path / "state.sqlite3")
    key, _ = state.create_key("acme", "p1")
    state.close()
    spec = {"config": {"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}},
                       "embedder": {"provider": "hash"}}, "state": str(tmp_path / "state.sqlite3"), "port": port}
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(spec)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        answers = []
        while len(answers) < 10:
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/v1/ping/", timeout=5,
                                         headers={"Authorization": f"Token {key}"}).json())
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the workers did not start"
                time.sleep(0.1)
        assert all(a["project_id"] == "p1" for a in answers)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
