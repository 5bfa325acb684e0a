"""What the routes do, over one shared AsyncMemory: tenant scopes in, public records out, webhook events
queued after each change, between an intent and its settling (server/intents.py). Routes (routes_*.py)
only parse HTTP into these calls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from graphmem.errors import NotFoundError, ValidationError
from graphmem.memory import AsyncMemory, utc_now
from graphmem.server import exports, intents
from graphmem.server.intents import MAX_LISTED
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Forbidden, Tenant, split_filters
from graphmem.server.webhooks import Dispatcher, project_events

# mem0's entity types by the id field naming them in a public scope (the server keeps apps in the agent slot).
_ENTITY_KINDS = (("user_id", "user"), ("agent_id", "agent"), ("app_id", "app"), ("run_id", "run"))
# How long close() lets running jobs end (a change whose client is gone) before cancelling them.
CLOSE_GRACE = 10.0
log = logging.getLogger("graphmem.server.service")
T = TypeVar("T")
Events = list[dict[str, Any]]


class Service:
    def __init__(self, memory: AsyncMemory, state: ServerState, dispatcher: Dispatcher) -> None:
        self.memory = memory
        self.state = state
        self.dispatcher = dispatcher
        self._jobs: set[asyncio.Task[Any]] = set()
        self._changes: set[asyncio.Task[Any]] = set()  # the jobs close() lets end (exports are cancelled)

    async def close(self) -> None:
        """Let running changes end (one whose client left goes on to queue its events), then cancel every job
        (exports too): a change cut here leaves its intent, which the next start recovers."""
        if self._changes:
            await asyncio.wait(list(self._changes), timeout=CLOSE_GRACE)
        for job in list(self._jobs):
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job

    def sweep_orphans(self, every: float = intents.SWEEP_EVERY) -> None:
        """Recover, every `every` seconds, the intents of processes gone since this one started (another worker
        of the same state file that died mid-change); the server's start recovers those before it."""
        async def sweeping() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    if await intents.recover_orphans(self.memory, self.state):
                        self.dispatcher.wake()
                except Exception:  # a locked state file or a store hiccup: the next sweep tries again
                    log.exception("sweeping orphaned intents failed")

        self._start(sweeping())

    def _start(self, work: Awaitable[T], *also: set[asyncio.Task[Any]]) -> asyncio.Task[T]:
        """A job of the service, held in `_jobs` (and in `also`) while it runs."""
        job = asyncio.ensure_future(work)
        for held in (self._jobs, *also):
            held.add(job)
            job.add_done_callback(held.discard)
        return job

    # -- changes and their events ------------------------------------------------------------

    async def _journaled(self, tenant: Tenant, change: str, body: dict[str, Any],
                         make: Callable[[], Awaitable[tuple[T, Events]]]) -> T:
        """Make a change to the store between an intent and its events (server/intents.py). The change is a job
        of its own that the request awaits shielded: a cancelled request (its client gone) does not cut the
        change between the store's commit and the outbox's; it ends and queues its events."""
        return await asyncio.shield(self._start(self._settled(tenant, change, body, make), self._changes))

    async def _settled(self, tenant: Tenant, change: str, body: dict[str, Any],
                       make: Callable[[], Awaitable[tuple[T, Events]]]) -> T:
        owner = intents.this_process().text()
        intent = await asyncio.to_thread(self.state.open_intent, tenant.org, tenant.project, change, body, owner)
        try:
            result, events = await make()
        except (ValidationError, NotFoundError, Forbidden):  # refused before any write: nothing to report
            if intent is not None:
                await asyncio.to_thread(self.state.enqueue, tenant.org, tenant.project, [], intent)
            raise
        except Exception:  # the store may have committed before the failure: queue what did happen
            if intent is not None:
                await self._recover(intents.Intent(intent, tenant.org, tenant.project, change, body, owner, 0.0))
            raise
        # Any other BaseException (cancelled at shutdown) leaves the intent to the next start's recovery.
        if await asyncio.to_thread(self.state.enqueue, tenant.org, tenant.project, events, intent):
            self.dispatcher.wake()
        return result

    async def _recover(self, intent: intents.Intent) -> None:
        try:
            if await intents.recover(self.memory, self.state, intent):
                self.dispatcher.wake()
        except Exception:  # the intent stays: the next start recovers it
            log.exception("recovering intent %s (%s) failed", intent.id, intent.change)

    @staticmethod
    def _events(tenant: Tenant, change: str, memories: list[dict[str, Any]], once: bool = False) -> Events:
        return project_events(tenant.org, tenant.project, change, memories, once)

    # -- scopes --------------------------------------------------------------------------------

    @staticmethod
    def scope_of(tenant: Tenant, ids: dict[str, Any], filters: dict[str, Any] | None
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Stored scope ids and stored filters from the client's top-level ids and mem0 filters."""
        from_filters, rest = split_filters(filters)
        named = {k: v for k, v in ids.items() if v is not None}
        return tenant.scope({**from_filters, **named}), tenant.filters(rest)

    # -- memories ------------------------------------------------------------------------------

    async def add(self, tenant: Tenant, messages: Any, ids: dict[str, Any], filters: dict[str, Any] | None,
                  **options: Any) -> dict[str, Any]:
        """Remember messages in the scope the top-level ids or (mem0 v3) `filters={"user_id": ...}` name."""
        scope, _ = self.scope_of(tenant, ids, filters)

        async def change() -> tuple[dict[str, Any], Events]:
            added = tenant.public(await self.memory.add(messages, **scope, **options))
            listed = added.get("results", [])
            # An add's DELETE supersedes a memory that stays stored (and may be deleted for good later): not once.
            return dict(added), [e for c in ("ADD", "UPDATE", "DELETE") for e in self._events(
                tenant, c, [r for r in listed if r.get("event") == c], once=c == "ADD")]

        body = {"scope": scope, "since": intents.add_start(options.get("timestamp"))}
        return await self._journaled(tenant, intents.ADD, body, change)

    async def search(self, tenant: Tenant, query: str, ids: dict[str, Any], filters: dict[str, Any] | None,
                     **options: Any) -> dict[str, Any]:
        scope, stored_filters = self.scope_of(tenant, ids, filters)
        found = await self.memory.search(query, **scope, filters=stored_filters, **options)
        return dict(tenant.public(found))

    async def list_memories(self, tenant: Tenant, ids: dict[str, Any],
                            filters: dict[str, Any] | None) -> dict[str, Any]:
        scope, stored_filters = self.scope_of(tenant, ids, filters)
        listed = await self.memory.get_all(**scope, filters=stored_filters, limit=MAX_LISTED)
        return dict(tenant.public(listed))

    async def _owned(self, tenant: Tenant, memory_id: str) -> dict[str, Any]:
        """The stored memory (prefixed ids), if this key may see it; else NotFoundError, as for no memory."""
        record = await self.memory.get(memory_id)
        if record is None or not tenant.owns(record):
            raise NotFoundError(f"Memory with id {memory_id} not found")
        return record

    async def get(self, tenant: Tenant, memory_id: str) -> dict[str, Any]:
        return dict(tenant.public(await self._owned(tenant, memory_id)))

    async def update(self, tenant: Tenant, memory_id: str, text: str | None,
                     metadata: dict[str, Any] | None) -> dict[str, Any]:
        if text is None and metadata is None:
            raise ValidationError("give text or metadata to update", field="text")
        current = await self._owned(tenant, memory_id)

        async def change() -> tuple[dict[str, Any], Events]:
            # Without text, a metadata update: the text read above could be stale once the scope's lock is taken.
            await self.memory.update(memory_id, text=text, metadata=metadata)
            updated = await self.get(tenant, memory_id)
            previous = tenant.public(current["memory"])
            return updated, self._events(tenant, "UPDATE", [{**updated, "previous_memory": previous,
                                                             "event": "UPDATE"}])

        body = {"memory_id": memory_id, "previous": current["memory"], "since": utc_now()}
        updated = await self._journaled(tenant, intents.UPDATE, body, change)
        return {**updated, "text": updated["memory"], "message": "Memory updated successfully!"}

    async def delete(self, tenant: Tenant, memory_id: str) -> dict[str, str]:
        current = tenant.public(await self._owned(tenant, memory_id))
        await self._deleting(tenant, [memory_id], [current], lambda: self.memory.delete(memory_id))
        return {"message": "Memory deleted successfully!"}

    async def _deleting(self, tenant: Tenant, ids: list[str], doomed: list[dict[str, Any]],
                        delete: Callable[[], Awaitable[Any]]) -> None:
        """A delete journaled with the memories it removes (public records) and their stored ids."""
        async def change() -> tuple[None, Events]:
            await delete()
            return None, self._events(tenant, "DELETE", [{**m, "event": "DELETE"} for m in doomed], once=True)

        await self._journaled(tenant, intents.DELETE, {"memories": doomed, "ids": ids}, change)

    async def batch_update(self, tenant: Tenant, items: list[dict[str, Any]]) -> dict[str, str]:
        for item in items:  # every id is checked before the first change
            await self._owned(tenant, item["memory_id"])
        for item in items:
            await self.update(tenant, item["memory_id"], item.get("text"), item.get("metadata"))
        return {"message": f"Successfully updated {len(items)} memories"}

    async def batch_delete(self, tenant: Tenant, memory_ids: list[str]) -> dict[str, str]:
        for memory_id in memory_ids:
            await self._owned(tenant, memory_id)
        for memory_id in memory_ids:
            await self.delete(tenant, memory_id)
        return {"message": f"Successfully deleted {len(memory_ids)} memories"}

    async def delete_all(self, tenant: Tenant, ids: dict[str, Any]) -> dict[str, str]:
        """A scope's memories; with no id at all, every scope of the project (the key's users only)."""
        if all(v is None for v in ids.values()):
            for scope in await self.owned_scopes(tenant):
                await self._delete_scope(tenant, scope)
        else:
            await self._delete_scope(tenant, tenant.scope(ids))
        return {"message": "Memories deleted successfully!"}

    async def _delete_scope(self, tenant: Tenant, scope: dict[str, Any]) -> None:
        doomed = (await self.memory.get_all(**scope, limit=MAX_LISTED))["results"]
        await self._deleting(tenant, [m["id"] for m in doomed], [tenant.public(m) for m in doomed],
                             lambda: self.memory.delete_all(**scope))

    async def history(self, tenant: Tenant, memory_id: str) -> list[dict[str, Any]]:
        """The memory's events, then its feedback (event FEEDBACK), each in time order."""
        await self._owned(tenant, memory_id)
        return await self.owned_history(tenant, memory_id)

    async def owned_history(self, tenant: Tenant, memory_id: str) -> list[dict[str, Any]]:
        """`history` of a memory the caller has just found this key owns (no second read of it)."""
        events = tenant.public(await self.memory.history(memory_id))
        feedback = await asyncio.to_thread(self.state.feedback_of, tenant.org, tenant.project, memory_id)
        return [*events, *({"id": f["id"], "memory_id": memory_id, "event": "FEEDBACK", "feedback": f["feedback"],
                            "feedback_reason": f["reason"], "created_at": _iso(f["created_at"])} for f in feedback)]

    async def feedback(self, tenant: Tenant, memory_id: str, feedback: str | None,
                       reason: str | None) -> dict[str, Any]:
        await self._owned(tenant, memory_id)
        return await asyncio.to_thread(self.state.add_feedback, tenant.org, tenant.project, memory_id, feedback,
                                       reason)

    # -- entities ------------------------------------------------------------------------------

    async def owned_scopes(self, tenant: Tenant) -> list[dict[str, Any]]:
        """The tenant's scopes that hold memories (only the key's users, for a restricted key)."""
        scopes = [s.params() for s in await self.memory.scopes()]
        return [s for s in scopes if tenant.owns(s)]

    async def users(self, tenant: Tenant) -> dict[str, Any]:
        """mem0's entities: each user, agent, app and run with how many memories it holds (across the
        scopes it is part of, counting only what this key may see), summed from one read of every scope's size."""
        totals: dict[tuple[str, str], int] = {}  # (type, public name) -> memories
        for scope, size in await self.memory.scope_sizes():
            stored = scope.params()
            if not tenant.owns(stored):
                continue
            public = tenant.public(stored)
            for field, kind in _ENTITY_KINDS:
                if public.get(field) is not None:
                    totals[(kind, public[field])] = totals.get((kind, public[field]), 0) + size
        results = [{"id": name, "name": name, "type": kind, "total_memories": total, "owner": tenant.key_id,
                    "organization": tenant.org, "project": tenant.project, "metadata": None}
                   for (kind, name), total in sorted(totals.items())]
        return {"count": len(results), "next": None, "previous": None, "results": results}

    async def delete_entity(self, tenant: Tenant, kind: str, name: str) -> dict[str, str]:
        await self._delete_scope(tenant, tenant.entity_scope(kind, name))
        return {"message": "Entity deleted successfully!"}

    async def reset(self, tenant: Tenant) -> dict[str, str]:
        await self.delete_all(tenant, {})
        return {"message": "Client reset successful. All users and memories deleted."}

    # -- exports -------------------------------------------------------------------------------

    async def create_export(self, tenant: Tenant, schema: dict[str, Any] | str, ids: dict[str, Any],
                            filters: dict[str, Any] | None) -> dict[str, Any]:
        parsed = exports.parse_schema(schema)
        scope, stored_filters = self.scope_of(tenant, ids, filters)
        request = {"schema": parsed, "filters": filters, **{k: v for k, v in ids.items() if v is not None}}
        export_id = await asyncio.to_thread(self.state.save_export, tenant.org, tenant.project, request)
        self._start(self._run_export(tenant, export_id, parsed, scope, stored_filters))
        return {"message": "Memory export request received. The export will be ready in a few seconds.",
                "id": export_id}

    async def _run_export(self, tenant: Tenant, export_id: str, schema: dict[str, Any],
                          scope: dict[str, Any], filters: dict[str, Any] | None) -> None:
        try:
            listed = await self.memory.get_all(**scope, filters=filters, limit=MAX_LISTED)
            public_ids = tenant.public(scope)
            document = exports.shape(schema, tenant.public(listed["results"]), public_ids)
            error = exports.validate(schema, document)
        except Exception as exc:  # the job records any failure; the client reads it with get_memory_export
            document, error = None, f"{type(exc).__name__}: {exc}"
        await asyncio.to_thread(self.state.finish_export, export_id, document, error)

    async def get_export(self, tenant: Tenant, export_id: str | None, wait: float = 10.0) -> dict[str, Any]:
        """The export's document once done (waiting up to `wait` seconds); its status otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            row = await asyncio.to_thread(self.state.export, tenant.org, tenant.project, export_id)
            if row["status"] != "PENDING" or loop.time() >= deadline:
                break
            await asyncio.sleep(0.05)
        if row["status"] == "COMPLETED" and isinstance(row["result"], dict):
            return dict(row["result"])
        if row["status"] == "COMPLETED":
            return {"id": row["id"], "status": "COMPLETED", "data": row["result"]}
        return {"id": row["id"], "status": row["status"], "error": row["error"]}


def _iso(seconds: float) -> str:
    from datetime import timezone

    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
