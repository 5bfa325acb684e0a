"""Webhooks: a receiver on 127.0.0.1 gets memory.created / updated / deleted, each signed (HMAC-SHA256),
retried while it fails, and delivered after a server restart from the durable outbox."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import graphmem
from graphmem.server.webhooks import DeliverySettings, verify


class Receiver:
    """An HTTP endpoint that records what it is sent; answers 503 while `failing`."""

    def __init__(self) -> None:
        self.failing = False
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.refused = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if owner.failing:
                    owner.refused += 1
                    self.send_response(503)
                else:
                    owner.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def wait_for(self, count: int, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} events arrived"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_every_event_arrives_signed_also_across_a_restart(server_factory: Callable[..., Any],
                                                          key_for: Callable[..., str], receiver: Receiver) -> None:
    fast = DeliverySettings(base_delay=0.1, max_delay=0.5, poll=0.1)
    server = server_factory(delivery=fast)
    key = key_for("acme", "p1")
    with graphmem.MemoryClient(api_key=key, host=server.url) as client:
        hook = client.create_webhook(receiver.url, "audit")
        memory_id = client.add("I love pizza", user_id="alex", infer=False)["results"][0]["id"]
        receiver.wait_for(1)
        receiver.failing = True
        client.update(memory_id, "I love pasta")
        client.delete(memory_id)
        deadline = time.monotonic() + 10
        while receiver.refused < 2 and time.monotonic() < deadline:  # delivery was tried and failed
            time.sleep(0.05)
    server.stop()  # two events are still in the outbox
    receiver.failing = False
    restarted = server_factory(delivery=fast)
    receiver.wait_for(3)
    with graphmem.MemoryClient(api_key=key, host=restarted.url) as client:
        client.add("I live in Paris", user_id="alex", infer=False)
    receiver.wait_for(4)

    bodies = [json.loads(body) for _, body in receiver.received]
    # At least once, not in order: retried events may pass each other.
    assert sorted(b["event_type"] for b in bodies) == ["memory.created", "memory.created", "memory.deleted",
                                                       "memory.updated"]
    [updated] = [b for b in bodies if b["event_type"] == "memory.updated"]
    assert updated["data"]["memory"] == "I love pasta" and updated["data"]["user_id"] == "alex"
    assert len({b["event_id"] for b in bodies}) == 4
    for headers, body in receiver.received:
        assert verify(hook["secret"], headers["x-graphmem-timestamp"], body, headers["x-graphmem-signature"])
        assert headers["x-graphmem-event-id"] == json.loads(body)["event_id"]
    assert receiver.refused >= 2


def test_webhook_routes_belong_to_the_project(server: Any, key_for: Callable[..., str], receiver: Receiver) -> None:
    with graphmem.MemoryClient(api_key=key_for("acme", "p1"), host=server.url) as first, \
            graphmem.MemoryClient(api_key=key_for("acme", "p2"), host=server.url) as second:
        hook = first.create_webhook(receiver.url, "audit", event_types=["memory.deleted"])
        assert [h["webhook_id"] for h in first.get_webhooks()] == [hook["webhook_id"]]
        assert second.get_webhooks() == []
        with pytest.raises(graphmem.NotFoundError):
            second.update_webhook(hook["webhook_id"], name="mine")
        with pytest.raises(graphmem.NotFoundError):
            second.get_webhooks(project_id="p1")
        assert first.update_webhook(hook["webhook_id"], name="renamed")["name"] == "renamed"
        first.delete_webhook(hook["webhook_id"])
        assert first.get_webhooks() == []
