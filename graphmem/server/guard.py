"""What every request passes: a request id and a log line, the body-size limit, the API key, the rate limit.

The request id is the client's `X-Request-Id` if it sent a sane one, else a new one; it is echoed in
the answer and logged. Logs are one JSON line per request on the `graphmem.server` logger (never a
key, never a body).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from graphmem.server.state import ServerState
from graphmem.server.tenancy import Tenant

log = logging.getLogger("graphmem.server")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    """ASGI middleware: request id, structured access log, and a byte limit on request bodies (413)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started, status = time.perf_counter(), [500]
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, request_id, self.max_body)
            status[0] = 413
        else:
            await self._forward(scope, receive, send, request_id, status)
        if log.isEnabledFor(logging.INFO):  # the line is built only when someone reads it
            log.info(json.dumps({"request_id": request_id, "method": scope["method"], "path": scope["path"],
                                 "status": status[0], "ms": round((time.perf_counter() - started) * 1000, 2),
                                 "key_id": scope["state"].get("key_id")}))

    async def _forward(self, scope: Scope, receive: Receive, send: Send, request_id: str, status: list[int]) -> None:
        received = [0]
        started = [False]

        async def counted_receive() -> Message:
            message = await receive()
            received[0] += len(message.get("body", b""))
            if received[0] > self.max_body:  # a chunked body without Content-Length
                raise BodyTooLarge
            return message

        async def tagged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, counted_receive, tagged_send)
        except BodyTooLarge:
            if not started[0]:
                await _too_large(send, request_id, self.max_body)
                status[0] = 413


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"x-request-id", request_id.encode())]})
    await send({"type": "http.response.body", "body": body})


@dataclass
class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute on average, bursts up to `burst`."""

    per_minute: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def retry_after(self, key_id: str, now: float | None = None) -> int | None:
        """None if the request may go on (and takes a token); else whole seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.get(key_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_minute / 60.0)
        if tokens >= 1.0:
            self._buckets[key_id] = (tokens - 1.0, now)
            return None
        self._buckets[key_id] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) * 60.0 / self.per_minute))


class Unauthorised(Exception):
    pass


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit exceeded: retry after {retry_after} s")
        self.retry_after = retry_after


def authenticate(state: ServerState, limiter: RateLimiter | None, authorization: str | None) -> Tenant:
    """The tenant of an `Authorization: Token <key>` header (mem0's scheme; `Bearer` is accepted too)."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not key.strip():
        raise Unauthorised("an API key is required: Authorization: Token <key>")
    record = state.find_key(key.strip())
    if record is None:
        raise Unauthorised("invalid or revoked API key")
    if limiter is not None:
        wait = limiter.retry_after(record.id)
        if wait is not None:
            raise TooManyRequests(wait)
    return Tenant(key_id=record.id, org=record.org, project=record.project, user_ids=record.user_ids)
