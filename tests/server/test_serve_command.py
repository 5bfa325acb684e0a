"""`graphmem serve` as its own process on a fresh store, with a key from `graphmem keys create`, and the
official mem0ai MemoryClient against it; and importing graphmem loads no server or client library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cli(tmp_path: Path) -> list[str]:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"embedder": {"provider": "hash"}}), "utf-8")
    return [sys.executable, "-m", "graphmem.cli", "--db", str(tmp_path / "db"), "--config", str(config)]


def test_graphmem_serve_with_a_key_from_keys_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEM0_TELEMETRY", "false")
    made = subprocess.run([*_cli(tmp_path), "keys", "create", "--org", "acme", "--project", "p1"],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    port = _free_port()
    server = subprocess.Popen([*_cli(tmp_path), "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "graphmem serve did not start"
            time.sleep(0.1)
        from mem0 import MemoryClient

        client = MemoryClient(api_key=key, host=url)
        try:
            client.add("I love pizza", user_id="alex", infer=False)
            found = client.search("pizza", filters={"user_id": "alex"})
            assert found["results"][0]["memory"] == "I love pizza"
        finally:
            client.client.close()
        assert (tmp_path / "db.server.sqlite3").is_file()  # the keys live beside the store
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0 or server.returncode < 0
        assert server.stderr is not None
        server.stderr.close()


def test_importing_graphmem_loads_no_server_or_client_library() -> None:
    code = ("import sys, graphmem; graphmem.MemoryClient; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'httpx', 'starlette') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
