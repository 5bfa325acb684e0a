"""The intent journal (server/intents.py) over a real Kuzu store and a real state file: a change made to the store
with its intent journaled but no outbox rows (a process killed between the two commits) has exactly its events
queued by recovery, once however often recovered; a change that never happened queues nothing; the intents of
live processes are left to them; the normal path queues one event per change and leaves no intent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory
from graphmem.memory import utc_now
from graphmem.server import intents
from graphmem.server.intents import Intent, Owner
from graphmem.server.service import Service
from graphmem.server.state import ServerState
from graphmem.server.tenancy import Tenant
from graphmem.server.webhooks import EVENT_TYPES, Dispatcher

P1 = Tenant("k1", "acme", "p1")
ALEX = P1.scope({"user_id": "alex"})
Scenario = Callable[[AsyncMemory, ServerState, Service], Awaitable[None]]


def run(tmp_path: Path, config_for: Callable[..., dict[str, Any]], scenario: Scenario) -> None:
    """`scenario(memory, state, service)` over a Kuzu store and a state file with one webhook of acme/p1 (its
    dispatcher is never started: events stay in the outbox to be counted)."""
    async def main() -> None:
        memory = AsyncMemory(config_for(tmp_path / "db"))
        state = ServerState(tmp_path / "state.sqlite3")
        state.create_webhook("acme", "p1", "audit", "http://127.0.0.1:9/hook", list(EVENT_TYPES))
        service = Service(memory, state, Dispatcher(state))
        try:
            await scenario(memory, state, service)
        finally:
            await service.close()
            await memory.close()
            state.close()

    asyncio.run(main())


@contextlib.contextmanager
def hooked_state(tmp_path: Path) -> Iterator[ServerState]:
    """A state file with one webhook of acme/p1 and no store (what the outbox alone decides)."""
    state = ServerState(tmp_path / "state.sqlite3")
    try:
        state.create_webhook("acme", "p1", "audit", "http://127.0.0.1:9/hook", list(EVENT_TYPES))
        yield state
    finally:
        state.close()


def outbox(state: ServerState) -> list[tuple[str, str]]:
    """(event type, memory id) of every queued event, sorted."""
    bodies = [json.loads(row["body"]) for row in state.due(time.time() + 60, limit=1000)]
    return sorted((b["event_type"], b["data"]["id"]) for b in bodies)


def journal(state: ServerState, change: str, body: dict[str, Any], owner: Owner | None = None) -> Intent:
    """An intent as the Service writes it before a change (by default, this process's)."""
    owner_text = (owner or intents.this_process()).text()
    intent_id = state.open_intent("acme", "p1", change, body, owner_text)
    assert intent_id is not None
    return Intent(intent_id, "acme", "p1", change, body, owner_text, time.time())


async def recover_twice(memory: AsyncMemory, state: ServerState, intent: Intent) -> None:
    """Recover, then again (as a second recoverer would, or a start after a crash mid-recovery): the intent is gone."""
    await intents.recover(memory, state, intent)
    assert state.intents() == []
    assert await intents.recover(memory, state, intent) == 0


def test_an_add_killed_before_its_outbox_is_recovered_once(tmp_path: Path,
                                                          config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]
        other = await memory.add("I love tea", **P1.scope({"user_id": "sam"}), infer=False)
        intent = journal(state, intents.ADD, {"scope": ALEX, "since": intents.add_start(None)})
        # The change, committed to the store, its events never queued: a new memory, and a stored one updated
        # (as an inferring add's UPDATE does).
        paris = (await memory.add("I live in Paris", **ALEX, infer=False))["results"][0]["id"]
        await memory.update(pizza, text="I love pasta")
        await recover_twice(memory, state, intent)
        assert outbox(state) == sorted([("memory.created", paris), ("memory.updated", pizza)])
        assert other["results"][0]["id"] not in {m for _, m in outbox(state)}
        [updated] = [b for b in map(json.loads, (r["body"] for r in state.due(time.time() + 60)))
                     if b["event_type"] == "memory.updated"]
        assert updated["data"]["memory"] == "I love pasta" and updated["data"]["previous_memory"] == "I love pizza"
        assert updated["data"]["user_id"] == "alex" and updated["org_id"] == "acme" and updated["project_id"] == "p1"

    run(tmp_path, config_for, scenario)


def test_an_update_killed_before_its_outbox_is_recovered_once(tmp_path: Path,
                                                             config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]
        intent = journal(state, intents.UPDATE, {"memory_id": pizza, "previous": "I love pizza", "since": utc_now()})
        await memory.update(pizza, text="I love pasta")
        await recover_twice(memory, state, intent)
        [row] = state.due(time.time() + 60)
        body = json.loads(row["body"])
        assert (body["event_type"], body["data"]["id"]) == ("memory.updated", pizza)
        assert body["data"]["memory"] == "I love pasta" and body["data"]["previous_memory"] == "I love pizza"
        assert body["data"]["user_id"] == "alex"

    run(tmp_path, config_for, scenario)


def test_a_delete_killed_before_its_outbox_is_recovered_once(tmp_path: Path,
                                                            config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]
        record = P1.public(await memory.get(pizza))
        intent = journal(state, intents.DELETE, {"memories": [record], "ids": [pizza]})
        await memory.delete(pizza)
        await recover_twice(memory, state, intent)
        [row] = state.due(time.time() + 60)
        body = json.loads(row["body"])
        assert (body["event_type"], body["data"]["id"], body["data"]["memory"]) == ("memory.deleted", pizza,
                                                                                    "I love pizza")
        assert body["data"]["user_id"] == "alex"

    run(tmp_path, config_for, scenario)


def test_a_delete_all_killed_before_its_outbox_is_recovered_once(tmp_path: Path,
                                                                config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        for text in ("I love pizza", "I live in Paris", "I play chess"):
            await memory.add(text, **ALEX, infer=False)
        await memory.add("I love tea", **P1.scope({"user_id": "sam"}), infer=False)
        doomed = (await memory.get_all(**ALEX))["results"]
        intent = journal(state, intents.DELETE, {"memories": [P1.public(m) for m in doomed],
                                                 "ids": [m["id"] for m in doomed]})
        await memory.delete_all(**ALEX)
        await recover_twice(memory, state, intent)
        assert outbox(state) == sorted(("memory.deleted", m["id"]) for m in doomed)

    run(tmp_path, config_for, scenario)


def test_a_change_that_never_happened_queues_nothing(tmp_path: Path,
                                                     config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]
        record = P1.public(await memory.get(pizza))
        planned = [journal(state, intents.ADD, {"scope": ALEX, "since": intents.add_start(None)}),
                   journal(state, intents.UPDATE, {"memory_id": pizza, "previous": "I love pizza", "since": utc_now()}),
                   journal(state, intents.DELETE, {"memories": [record], "ids": [pizza]})]
        for intent in planned:
            assert await intents.recover(memory, state, intent) == 0
        assert state.intents() == [] and outbox(state) == []

    run(tmp_path, config_for, scenario)


def test_an_event_queued_by_its_change_and_by_a_recovery_is_one_row(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        intent = journal(state, intents.ADD, {"scope": ALEX, "since": intents.add_start(None)})
        added = await service.add(P1, "I love pizza", {"user_id": "alex"}, None, infer=False)  # queues its own
        pizza = added["results"][0]["id"]
        await service.delete(P1, pizza)
        await intents.recover(memory, state, Intent(**{**intent.__dict__, "change": intents.DELETE,
                                                       "body": {"memories": [added["results"][0]], "ids": [pizza]}}))
        assert outbox(state) == [("memory.created", pizza), ("memory.deleted", pizza)]
        assert state.intents() == []

    run(tmp_path, config_for, scenario)


def test_the_service_queues_one_event_per_change_and_leaves_no_intent(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await service.add(P1, "I love pizza", {"user_id": "alex"}, None, infer=False))["results"][0]["id"]
        await service.update(P1, pizza, "I love pasta", None)
        paris = (await service.add(P1, "I live in Paris", {"user_id": "alex"}, None, infer=False))["results"][0]["id"]
        await service.delete(P1, pizza)
        await service.delete_all(P1, {"user_id": "alex"})
        assert outbox(state) == sorted([("memory.created", pizza), ("memory.updated", pizza),
                                        ("memory.deleted", pizza), ("memory.created", paris),
                                        ("memory.deleted", paris)])
        assert state.intents() == []

    run(tmp_path, config_for, scenario)


def test_a_project_without_webhooks_journals_nothing(tmp_path: Path) -> None:
    state = ServerState(tmp_path / "state.sqlite3")
    try:
        assert state.open_intent("acme", "p2", intents.ADD, {}, intents.this_process().text()) is None
        assert state.intents() == []
    finally:
        state.close()


def test_a_cancelled_request_still_ends_its_change_and_queues_it(tmp_path: Path,
                                                                config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        request = asyncio.ensure_future(service.add(P1, "I love pizza", {"user_id": "alex"}, None, infer=False))
        while not state.intents():  # the change has begun (its intent is journaled)
            await asyncio.sleep(0.001)
        request.cancel()  # the client is gone
        await service.close()  # lets the change end
        [memory_record] = (await memory.get_all(**ALEX))["results"]
        assert outbox(state) == [("memory.created", memory_record["id"])]
        assert state.intents() == []

    run(tmp_path, config_for, scenario)


def test_a_change_failing_after_the_store_committed_is_recovered_at_once(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        async def change() -> tuple[None, list[dict[str, Any]]]:
            await memory.add("I love pizza", **ALEX, infer=False)
            raise ConnectionResetError("the answer could not be read")  # after the commit, as a lost connection

        body = {"scope": ALEX, "since": intents.add_start(None)}
        try:
            await service._journaled(P1, intents.ADD, body, change)
            raise AssertionError("the failure was swallowed")
        except ConnectionResetError:
            pass
        [memory_record] = (await memory.get_all(**ALEX))["results"]
        assert outbox(state) == [("memory.created", memory_record["id"])]
        assert state.intents() == []

    run(tmp_path, config_for, scenario)


def test_only_the_intents_of_gone_processes_are_recovered_at_start(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    me = intents.this_process()
    host = me.host  # the host name and, on Linux, the pid namespace

    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        pizza = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]
        record = P1.public(await memory.get(pizza))
        owners = {"live": Owner(host, live.pid, "t"), "dead": Owner(host, dead.pid, "t"),
                  "earlier me": Owner(host, me.pid, "an earlier token"), "me": me,
                  "another host": Owner("elsewhere", dead.pid, "t")}
        journaled = {name: journal(state, intents.DELETE, {"memories": [record], "ids": [pizza]}, owner)
                     for name, owner in owners.items()}
        await memory.delete(pizza)
        assert await intents.recover_orphans(memory, state) == 1  # the deleted event, queued once
        left = {i["id"] for i in state.intents()}
        assert left == {journaled[name].id for name in ("live", "me", "another host")}
        assert outbox(state) == [("memory.deleted", pizza)]

    try:
        run(tmp_path, config_for, scenario)
    finally:
        live.kill()
        live.wait()


def test_another_hosts_intents_are_taken_for_gone_after_an_hour() -> None:
    elsewhere = Owner("elsewhere", 1, "t").text()
    me = intents.this_process()
    assert not intents.is_orphan(elsewhere, 1000.0, 1000.0 + intents.STALE_ELSEWHERE - 1, me)
    assert intents.is_orphan(elsewhere, 1000.0, 1000.0 + intents.STALE_ELSEWHERE + 1, me)
    assert intents.is_orphan("not an owner", 1000.0, 1000.0, me)
    assert not intents.is_orphan(me.text(), 0.0, 1e12, me)


def test_a_refused_add_settles_its_intent_with_no_event_even_backdated(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    """A backdated add's intent starts at its said time; refused before any write, it must not report the scope's
    memories said since then (a recovery would)."""
    import pytest

    from graphmem.errors import ValidationError

    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        for text in ("I love pizza", "I live in Paris", "I play chess"):
            await memory.add(text, **ALEX, infer=False)
        a_year_ago = int(time.time()) - 365 * 86400
        with pytest.raises(ValidationError):
            await service.add(P1, "I love tea", {"user_id": "alex"}, None, infer=False, metadata="oops",
                              timestamp=a_year_ago)
        assert outbox(state) == [] and state.intents() == []

    run(tmp_path, config_for, scenario)


def test_a_recovery_that_looked_before_the_change_committed_does_not_drop_its_events(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    """Another process took this one for gone and recovered its intent while the add was still being made: it
    found nothing. The add's own events still go out when it ends."""
    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        intent = journal(state, intents.ADD, {"scope": ALEX, "since": intents.add_start(None)})
        assert await intents.recover(memory, state, intent) == 0 and state.intents() == []
        added = (await memory.add("I love pizza", **ALEX, infer=False))["results"]
        events = service._events(P1, "ADD", P1.public(added), once=True)
        assert state.enqueue("acme", "p1", events, intent.id) == 1  # as the change itself settles it
        assert outbox(state) == [("memory.created", added[0]["id"])]
        assert await intents.recover(memory, state, intent) == 0  # a second recovery queues nothing more

    run(tmp_path, config_for, scenario)


def test_a_superseded_memory_deleted_later_sends_both_deletes(tmp_path: Path) -> None:
    """An add's DELETE leaves the superseded memory stored; deleting it later is another memory.deleted, which a
    derived id would have folded into the first."""
    from graphmem.server.webhooks import project_events

    with hooked_state(tmp_path) as state:
        record = {"id": "m1", "memory": "I love pizza", "event": "DELETE"}
        assert state.enqueue("acme", "p1", project_events("acme", "p1", "DELETE", [record])) == 1  # superseded
        assert state.enqueue("acme", "p1", project_events("acme", "p1", "DELETE", [record], once=True)) == 1
        assert state.enqueue("acme", "p1", project_events("acme", "p1", "DELETE", [record], once=True)) == 0
        bodies = [json.loads(row["body"]) for row in state.due(time.time() + 60)]
        assert len(bodies) == 2 and all("once_key" not in body for body in bodies)


def test_a_process_is_known_by_its_pid_namespace_too() -> None:
    """Two containers with one host name each have a pid 1: on Linux the owner's host names the namespace."""
    if Path("/proc/self/ns/pid").exists():
        assert "#pidns:" in intents.this_process().host


def test_the_outbox_forgets_delivered_and_given_up_events_past_retention(tmp_path: Path) -> None:
    """Delivered and given-up rows are pruned once older than the retention; pending ones never are."""
    from graphmem.server.webhooks import project_events

    with hooked_state(tmp_path) as state:
        records = [{"id": f"m{i}", "memory": "x", "event": "ADD"} for i in range(3)]
        assert state.enqueue("acme", "p1", project_events("acme", "p1", "ADD", records, once=True)) == 3
        delivered, given_up, pending = (row["id"] for row in state.due(time.time() + 60))
        state.delivered(delivered)
        state.retry_later(given_up, 10, None, "HTTP 500")
        assert state.prune_outbox(time.time() - 60) == 0  # within the retention: kept
        assert state.prune_outbox(time.time() + 1) == 2
        assert [row["id"] for row in state.due(time.time() + 60)] == [pending]


def test_a_running_server_sweeps_up_the_intents_of_a_worker_that_died(
        tmp_path: Path, config_for: Callable[..., dict[str, Any]]) -> None:
    """Workers share the state file (Neo4j / Memgraph): one dies mid-change after this one started; this one's
    sweep queues that change's event, without waiting for a restart."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()

    async def scenario(memory: AsyncMemory, state: ServerState, service: Service) -> None:
        service.sweep_orphans(every=0.05)
        since = intents.add_start(None)
        added = (await memory.add("I love pizza", **ALEX, infer=False))["results"][0]["id"]  # the dead one's add
        journal(state, intents.ADD, {"scope": ALEX, "since": since}, Owner(intents.this_process().host, dead.pid, "t"))
        for _ in range(200):
            if outbox(state):
                break
            await asyncio.sleep(0.02)
        assert outbox(state) == [("memory.created", added)] and state.intents() == []

    run(tmp_path, config_for, scenario)
