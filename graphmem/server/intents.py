"""The intent journal: no webhook event is lost between a change to the store and its outbox rows.

The store (Kuzu, Neo4j, ...) and the outbox (the SQLite state file) cannot commit together. So the
Service journals an intent in the state file before each change, saying what is about to change and
enough to tell afterwards whether it happened; after the change it queues the events and deletes the
intent in one SQLite commit (ServerState.enqueue). An intent still there is a change whose events may be
missing: its process died, or the change failed, between the store's commit and the outbox's. `recover`
reads the store through AsyncMemory (never a backend), queues what really happened and deletes the
intent, again in one commit; at start, and every SWEEP_EVERY seconds while it runs, the server recovers the
intents of processes that are gone (`recover_orphans`), and leaves a live process's (Neo4j/Memgraph
workers share the state file) to it.

- delete and delete_all: a memory.deleted for each recorded memory that `get` no longer finds;
- update: a memory.updated if the memory's `updated_at` is at or after the intent's start;
- add: the scope's memories created since the start (memory.created), and those created before but
  updated since (memory.updated, the previous text from their history's last UPDATE).

Recovery is idempotent and duplicates are harmless: memory.created, and the memory.deleted of a delete,
carry ids derived from the webhook and the memory (webhooks.project_events, `once`), so the event a change
queued and the same event recovered are one outbox row. A change refused before any write (ValidationError,
NotFoundError, Forbidden) settles its intent with no event and no recovery. A recovered memory.updated may arrive
twice (at least once). What recovery cannot see, by design:
- the deletes of an interrupted infer=True add (a fact contradicting a stored one): a deleted memory leaves
  only its history, and history events carry no scope, so finding them would mean attributing other
  tenants' deletes; they are not recovered;
- a memory an add stored as already superseded (its ADD with `invalid_at`): get_all does not list it;
- a change is recovered as the store is at recovery: an add's memory deleted meanwhile (by another worker,
  before the restart) gets its memory.deleted but no memory.created;
- changes of the scope made by other requests since the start are reported with it (memory.created: the
  same row as their own). An add with a `timestamp` dates its memories by it, so its intent starts at the
  earlier of that time and now: a recovered backdated add also reports the scope's changes since that time
  (those reported before are the same rows; updates come again).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphmem import mem0_forms as forms
from graphmem.errors import ValidationError
from graphmem.memory import AsyncMemory, utc_now
from graphmem.search.when import parse_time
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Tenant
from graphmem.server.webhooks import project_events

log = logging.getLogger("graphmem.server.intents")
# Another host's process cannot be asked whether it lives: its intents are taken for a dead one's after this.
STALE_ELSEWHERE = 3600.0
SWEEP_EVERY = 60.0  # how often a running server looks for the intents of processes gone since (Service.sweep_orphans)
# At most this many of a scope's memories are read at once: to recover an add (newest first; an add stores a
# few), and by the Service to page through get_all (mem0's pages are 100 at most) or delete a scope's.
MAX_LISTED = 10_000
# The changes an intent can name, as journaled by the Service.
ADD, UPDATE, DELETE = "add", "update", "delete"
Found = list[tuple[str, list[dict[str, Any]]]]  # (ADD / UPDATE / DELETE, public records)


@dataclass(frozen=True)
class Owner:
    """The process that journaled an intent. The random token tells it from a later process given the same pid
    (pid 1 of a restarted container)."""

    host: str
    pid: int
    token: str

    def text(self) -> str:
        return json.dumps([self.host, self.pid, self.token])

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        try:
            host, pid, token = json.loads(text)
        except (ValueError, TypeError):
            return None
        return cls(host, pid, token) if isinstance(pid, int) else None


@dataclass(frozen=True)
class Intent:
    id: str
    org: str
    project: str
    change: str
    body: dict[str, Any]
    owner: str
    started_at: float


_OWNERS: dict[int, Owner] = {}


def this_process() -> Owner:
    """This process as an owner, made once per pid (a forked child is another owner)."""
    pid = os.getpid()
    if pid not in _OWNERS:
        _OWNERS[pid] = Owner(_host(), pid, secrets.token_hex(8))
    return _OWNERS[pid]


def _host() -> str:
    """The host name, and on Linux the process's pid namespace: two containers may share a host name (host
    networking, a fixed `hostname:`) while each has its own pid 1, and a pid is only asked about in its own."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}#pidns:{namespace}"


def add_start(timestamp: Any) -> str:
    """When an add's intent starts: now, or the said time (`timestamp`) if earlier, by which add dates memories."""
    now = utc_now()
    try:
        said = forms.check_timestamp(timestamp)
    except ValidationError:  # the add itself will refuse it
        return now
    return min(now, said[0]) if said else now


def is_orphan(owner: str, started_at: float, now: float, me: Owner) -> bool:
    """Whether an intent's process is gone. On this host: its pid is not alive, or it is this pid with another
    token (an earlier process); a dead pid taken by another process keeps the intent waiting for that one. On
    another host: the intent is older than STALE_ELSEWHERE."""
    them = Owner.parse(owner)
    if them is None:
        return True  # unreadable: nobody will settle it
    if (them.host, them.pid) == (me.host, me.pid):
        return them.token != me.token
    if them.host != me.host or sys.platform == "win32":  # there os.kill(pid, 0) would end the process
        return now - started_at > STALE_ELSEWHERE
    return not _alive(them.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


async def recover(memory: AsyncMemory, state: ServerState, intent: Intent) -> int:
    """Queue the events of what the intent's change really did and settle the intent, in one commit; the number
    of outbox rows written."""
    tenant = Tenant(key_id="", org=intent.org, project=intent.project)
    found = await _FINDERS[intent.change](memory, tenant, intent.body)
    events = [e for change, records in found
              for e in project_events(intent.org, intent.project, change, records, once=change != "UPDATE")]
    return await asyncio.to_thread(state.enqueue, intent.org, intent.project, events, intent.id, True)


async def recover_orphans(memory: AsyncMemory, state: ServerState) -> int:
    """At start: recover the intents of processes that are gone; the outbox rows written."""
    me, now, written = this_process(), time.time(), 0
    for row in await asyncio.to_thread(state.intents):
        intent = Intent(**row)
        if not is_orphan(intent.owner, intent.started_at, now, me):
            continue
        try:
            written += await recover(memory, state, intent)
        except Exception:  # one unreadable intent must not keep the server down; it stays for the next start
            log.exception("recovering intent %s (%s) failed", intent.id, intent.change)
    return written


async def _deleted(memory: AsyncMemory, tenant: Tenant, body: dict[str, Any]) -> Found:
    records = body["memories"]  # public records, as the change would have reported them
    gone = [r for r, memory_id in zip(records, body["ids"], strict=True) if await memory.get(memory_id) is None]
    return [("DELETE", [{**r, "event": "DELETE"} for r in gone])]


async def _updated(memory: AsyncMemory, tenant: Tenant, body: dict[str, Any]) -> Found:
    record = await memory.get(body["memory_id"])
    if record is None or not _since(record.get("updated_at"), body["since"]):
        return []
    previous = tenant.public(body["previous"])
    return [("UPDATE", [{**tenant.public(record), "previous_memory": previous, "event": "UPDATE"}])]


async def _added(memory: AsyncMemory, tenant: Tenant, body: dict[str, Any]) -> Found:
    listed = await memory.get_all(**body["scope"], limit=MAX_LISTED, show_expired=True)
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for record in listed["results"]:
        if _since(record.get("created_at"), body["since"]):
            created.append({**tenant.public(record), "event": "ADD"})
        elif _since(record.get("updated_at"), body["since"]):
            previous = tenant.public(await _previous_text(memory, record["id"]))
            updated.append({**tenant.public(record), "previous_memory": previous, "event": "UPDATE"})
    return [("ADD", created), ("UPDATE", updated)]


async def _previous_text(memory: AsyncMemory, memory_id: str) -> str | None:
    """The text the memory's last UPDATE replaced."""
    updates = [e for e in await memory.history(memory_id) if e["event"] == "UPDATE"]
    return updates[-1]["old_memory"] if updates else None


_FINDERS: dict[str, Callable[[AsyncMemory, Tenant, dict[str, Any]], Awaitable[Found]]] = {
    ADD: _added, UPDATE: _updated, DELETE: _deleted}


def _since(value: Any, start: str) -> bool:
    """Whether a stored time is at or after the start (both ISO-8601; a time that does not parse is not)."""
    when, since = parse_time(value), parse_time(start)
    return when is not None and since is not None and when >= since
