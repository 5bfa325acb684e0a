"""A process killed between the store's commit and the outbox's loses no webhook event: a child process makes a
change through the Service over the Kuzu store and dies right after the store committed it (intent_crash_child.py);
the server started next on the same store and state file recovers the change's intent and delivers its event to
a real receiver. Add, update and delete, each killed and then recovered by a restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_webhooks import Receiver

from graphmem.server.state import ServerState
from graphmem.server.webhooks import EVENT_TYPES, DeliverySettings, verify

CHILD = Path(__file__).with_name("intent_crash_child.py")


@pytest.fixture
def hook_receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def killed_after_commit(tmp_path: Path, change: str) -> None:
    done = subprocess.run([sys.executable, str(CHILD), str(tmp_path / "db"), str(tmp_path / "state.sqlite3"), change],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr[-2000:]


def test_changes_killed_before_their_outbox_are_delivered_after_a_restart(
        tmp_path: Path, server_factory: Callable[..., Any], hook_receiver: Receiver) -> None:
    receiver = hook_receiver
    state = ServerState(tmp_path / "state.sqlite3")
    hook = state.create_webhook("acme", "p1", "audit", receiver.url, list(EVENT_TYPES))
    state.close()
    fast = DeliverySettings(base_delay=0.1, max_delay=0.5, poll=0.1)
    for count, change in enumerate(("add", "update", "delete"), start=1):
        killed_after_commit(tmp_path, change)
        server = server_factory(delivery=fast)  # the store's one writer, once the child is gone
        receiver.wait_for(count)
        server.stop()

    bodies = [json.loads(body) for _, body in receiver.received]
    assert [b["event_type"] for b in bodies] == ["memory.created", "memory.updated", "memory.deleted"]
    assert len({b["data"]["id"] for b in bodies}) == 1
    assert [b["data"]["memory"] for b in bodies] == ["I love pizza", "I love pasta", "I love pasta"]
    assert bodies[1]["data"]["previous_memory"] == "I love pizza"
    assert all(b["data"]["user_id"] == "alex" and b["project_id"] == "p1" for b in bodies)
    for headers, body in receiver.received:
        assert verify(hook["secret"], headers["x-graphmem-timestamp"], body, headers["x-graphmem-signature"])
    state = ServerState(tmp_path / "state.sqlite3")
    try:
        assert state.intents() == []
    finally:
        state.close()
