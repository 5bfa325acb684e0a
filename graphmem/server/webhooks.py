"""Webhook delivery: the durable outbox (ServerState) drained by one task of the server's loop.

At least once: an event is written to the outbox (SQLite) right after the change it reports, and
marked delivered only when the receiver answers 2xx; a restart resumes whatever is undelivered. A
change journals an intent first, so that its events are recovered if the process dies between the
store's commit and the outbox's (server/intents.py). Each POST carries the event's id
(`X-Graphmem-Event-Id`, also `event_id` in the body) for de-duplication (a memory's created and
deleted events have ids derived from the webhook and the memory: the same however often queued),
and `X-Graphmem-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` under the
webhook's secret, with the timestamp in `X-Graphmem-Timestamp`. Failures are retried with
exponential back-off (1 s, 2 s, 4 s, ... capped at 5 min) up to `max_attempts`, then given up
(kept in the outbox with the last error).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

from graphmem.server.state import ONCE_KEY, ServerState

log = logging.getLogger("graphmem.server.webhooks")
EVENT_TYPES = ("memory.created", "memory.updated", "memory.deleted")
_EVENT_OF = {"ADD": "memory.created", "UPDATE": "memory.updated", "DELETE": "memory.deleted"}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver checks (constant-time)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def events_of(change: str, memories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outbox events for memories that an ADD / UPDATE / DELETE touched (public records)."""
    event_type = _EVENT_OF[change]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return [{"event_type": event_type, "created_at": now, "data": memory} for memory in memories]


def project_events(org: str, project: str, change: str, memories: list[dict[str, Any]],
                   once: bool = False) -> list[dict[str, Any]]:
    """`events_of` with the project they happened in (what a change and a recovery queue alike). `once`: each
    memory is created, or removed, only this once, so the event's id is derived from the memory's
    (ServerState.enqueue, ONCE_KEY) and the same event queued by a change and by its recovery is one row. Not
    for the DELETE of a memory an add superseded: it stays stored, and may be removed for good later."""
    events = [{**e, "org_id": org, "project_id": project} for e in events_of(change, memories)]
    if once and change in ("ADD", "DELETE"):
        events = [{**e, ONCE_KEY: f"{e['event_type']}/{e['data'].get('id')}"} for e in events]
    return events


@dataclass
class DeliverySettings:
    timeout: float = 5.0
    base_delay: float = 1.0
    max_delay: float = 300.0
    max_attempts: int = 10
    poll: float = 1.0  # how often the outbox is read when nothing woke the task
    # Delivered and given-up events are kept this long (seconds), then pruned once an hour: an outbox kept for
    # ever grew by every change for good. A recovery within it finds its events' rows (webhooks.project_events).
    retention: float = 7 * 86_400.0
    prune_every: float = 3_600.0


class Dispatcher:
    """Drains the outbox; `wake()` after enqueueing makes delivery prompt."""

    def __init__(self, state: ServerState, settings: DeliverySettings | None = None) -> None:
        self.state = state
        self.settings = settings or DeliverySettings()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: Any = None

    def start(self) -> None:
        import httpx

        self._client = httpx.AsyncClient(timeout=self.settings.timeout, follow_redirects=False)
        self._task = asyncio.create_task(self._run(), name="graphmem-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        pruned_at = 0.0
        while True:
            try:
                await self.drain()
                if time.time() - pruned_at >= self.settings.prune_every:
                    await asyncio.to_thread(self.state.prune_outbox, time.time() - self.settings.retention)
                    pruned_at = time.time()
            except Exception:  # a broken receiver or a locked state file must not end delivery for good
                log.exception("webhook delivery round failed")
            await self._sleep()

    async def _sleep(self) -> None:
        next_at = await asyncio.to_thread(self.state.next_due)
        wait = self.settings.poll if next_at is None else min(self.settings.poll, max(0.0, next_at - time.time()))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)
        self._wake.clear()

    async def drain(self) -> None:
        """Deliver every event that is due now."""
        due = await asyncio.to_thread(self.state.due, time.time())
        if due:
            await asyncio.gather(*(self._deliver(event) for event in due))

    async def _deliver(self, event: dict[str, Any]) -> None:
        body = event["body"].encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "graphmem-webhooks",
                   "X-Graphmem-Event-Id": event["id"], "X-Graphmem-Timestamp": timestamp,
                   "X-Graphmem-Signature": sign(event["secret"], timestamp, body)}
        try:
            response = await self._client.post(event["url"], content=body, headers=headers)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except Exception as exc:  # any transport failure is one failed attempt
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            await asyncio.to_thread(self.state.delivered, event["id"])
            return
        attempts = event["attempts"] + 1
        delay = min(self.settings.max_delay, self.settings.base_delay * 2 ** (attempts - 1))
        next_at = None if attempts >= self.settings.max_attempts else time.time() + delay
        log.warning("webhook %s to %s failed (%s), attempt %d", event["id"], event["url"], error, attempts)
        await asyncio.to_thread(self.state.retry_later, event["id"], attempts, next_at, error)
