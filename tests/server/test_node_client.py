"""The npm mem0ai MemoryClient (tests/node, installed by .ci/run) against a real graphmem server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_npm_client_add_search_get_all_delete(server: Any, key_for: Callable[..., str], tmp_path: Path) -> None:
    if not (NODE_DIR / "node_modules" / "mem0ai").is_dir():
        pytest.skip("run `npm install` in tests/node (.ci/run does)")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "MEM0_TELEMETRY": "false",
           "MEM0_DIR": str(tmp_path / "mem0"), "GRAPHMEM_URL": server.url, "GRAPHMEM_KEY": key_for("acme", "p1")}
    done = subprocess.run(["node", "client_flow.mjs"], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["organizationId"], result["projectId"]) == ("acme", "p1")
    assert result["found"][0].startswith("I love pizza")
    assert {r["source"] for r in result["relations"]} == {"alex"}
    assert result["deleted"] == "Memory deleted successfully!"
    assert result["after"] == result["listed"] - 1
    assert (result["hookNames"], result["hookEvents"], result["hooksLeft"]) == (["audit"], ["memory.created"], 0)
