"""A second process opening a Kuzu store that another process holds gets StoreInUseError (a real child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory
from graphmem.errors import BackendError, GraphMemError, StoreInUseError

# The child opens the store, says so, and holds it until its stdin closes.
HOLDER = textwrap.dedent("""
    import json, sys
    from graphmem import Memory
    with Memory(json.loads(sys.argv[1])) as memory:
        memory.add("I hold this store", user_id="alice", infer=False)
        print("holding", flush=True)
        sys.stdin.read()
""")


def test_a_second_process_is_told_how_to_share(tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    path = tmp_path / "db"
    config = config_for(path)
    child = subprocess.Popen([sys.executable, "-c", HOLDER, json.dumps(config)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding", child.stderr
        with Memory(config) as memory, pytest.raises(StoreInUseError) as caught:
            memory.get_all(user_id="alice")
        error = caught.value
        assert isinstance(error, BackendError) and isinstance(error, GraphMemError)
        assert error.path == str(path) and str(path) in str(error)
        assert "graphmem serve" in str(error) and "one process" in str(error).lower()
    finally:
        child.communicate(timeout=60)  # closes its stdin: the holder lets go and exits
    with Memory(config) as memory:  # once the holder has gone, the store opens
        assert [r["memory"] for r in memory.get_all(user_id="alice")["results"]] == ["I hold this store"]


def test_other_open_failures_stay_backend_errors(tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    not_a_store = tmp_path / "file"
    not_a_store.write_text("not a database")
    with Memory(config_for(not_a_store)) as memory, pytest.raises(BackendError) as caught:
        memory.get_all(user_id="alice")
    assert not isinstance(caught.value, StoreInUseError)
