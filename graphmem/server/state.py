"""The server's own state beside the store: API keys, webhooks, the webhook outbox and the intents that
guard it (server/intents.py), feedback, exports.

One SQLite file (WAL), not JSON: `graphmem keys create` writes to it while the server runs (SQLite
serialises the two processes' writes and each commit is atomic), and the webhook outbox needs a durable
queue that survives a restart. The memories themselves stay in the graph store only.

Keys are stored as SHA-256 digests: a key is 32 random bytes, so a plain digest is as hard to reverse
as the key is to guess (no slow KDF is needed for random secrets), and a lookup is one indexed read.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmem.errors import NotFoundError, ValidationError

KEY_PREFIX = "gm_"
_WEBHOOK_COLUMNS = frozenset({"name", "url", "event_types"})
# A memory is created once and deleted once: those events' ids are derived from the webhook and the memory, so
# the event a change queued and the same event recovered after a crash (server/intents.py) are one outbox row.
ONCE_KEY = "once_key"  # an event's key for a derived id (webhooks.project_events); never sent
_EVENT_IDS = uuid.UUID("0d4c7f4e-5b1a-4c55-9a57-3e0f6b1d2a90")

# SQLite DDL lives in a file beside this one, as graph statements live in cypher/: no query text in Python.
_SCHEMA_FILE = Path(__file__).with_name("state_schema.sql")
# One fixed statement per column a webhook update may change (names never come from a request).
_UPDATE_WEBHOOK = {
    "name": "UPDATE webhooks SET name = ?, updated_at = ? WHERE id = ?",
    "url": "UPDATE webhooks SET url = ?, updated_at = ? WHERE id = ?",
    "event_types": "UPDATE webhooks SET event_types = ?, updated_at = ? WHERE id = ?",
}


@dataclass(frozen=True)
class KeyRecord:
    """A key as stored: never the key itself."""

    id: str
    org: str
    project: str
    user_ids: tuple[str, ...] | None
    created_at: float
    revoked_at: float | None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_name(value: str, field: str) -> str:
    """An org or project name: letters, digits, '-', '_', '.' (a '/' would blur the tenant prefix)."""
    if not value or len(value) > 64 or not all(c.isalnum() or c in "-_." for c in value):
        raise ValidationError(f"{field} must be 1-64 letters, digits, '-', '_' or '.'", field=field)
    return value


class ServerState:
    """Thread-safe access to the state file (the server's event loop and its worker threads share it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA_FILE.read_text("utf-8"))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    # -- keys ------------------------------------------------------------------------------

    def create_key(self, org: str, project: str, user_ids: list[str] | None = None) -> tuple[str, KeyRecord]:
        """A new key (returned once, here) and its record."""
        check_name(org, "org")
        check_name(project, "project")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        record = KeyRecord(id="key_" + secrets.token_hex(6), org=org, project=project,
                           user_ids=tuple(user_ids) if user_ids else None, created_at=time.time(), revoked_at=None)
        with self._tx() as db:
            db.execute("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, NULL)",
                       (record.id, digest(key), org, project,
                        json.dumps(list(record.user_ids)) if record.user_ids else None, record.created_at))
        return key, record

    def find_key(self, key: str) -> KeyRecord | None:
        """The live key record of a presented key, or None (unknown or revoked)."""
        rows = self._rows("SELECT * FROM keys WHERE digest = ? AND revoked_at IS NULL", (digest(key),))
        return _key_record(rows[0]) if rows else None

    def list_keys(self) -> list[KeyRecord]:
        return [_key_record(r) for r in self._rows("SELECT * FROM keys ORDER BY created_at")]

    def revoke_key(self, key_id: str) -> KeyRecord:
        with self._tx() as db:
            changed = db.execute("UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                 (time.time(), key_id)).rowcount
        if not changed:
            raise NotFoundError(f"no live key with id {key_id}")
        return next(k for k in self.list_keys() if k.id == key_id)

    # -- webhooks --------------------------------------------------------------------------

    def create_webhook(self, org: str, project: str, name: str, url: str, event_types: list[str]) -> dict[str, Any]:
        now = time.time()
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO webhooks (org, project, name, url, event_types, secret, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (org, project, name, url, json.dumps(event_types), secrets.token_hex(32), now, now))
        return self.webhook(org, project, int(cursor.lastrowid or 0))

    def webhooks(self, org: str, project: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM webhooks WHERE org = ? AND project = ? ORDER BY id", (org, project))
        return [_webhook(r) for r in rows]

    def webhook(self, org: str, project: str, webhook_id: int) -> dict[str, Any]:
        rows = self._rows("SELECT * FROM webhooks WHERE id = ? AND org = ? AND project = ?", (webhook_id, org, project))
        if not rows:
            raise NotFoundError(f"webhook {webhook_id} not found")
        return _webhook(rows[0])

    def update_webhook(self, org: str, project: str, webhook_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        self.webhook(org, project, webhook_id)
        unknown = set(changes) - _WEBHOOK_COLUMNS
        if unknown:
            raise ValidationError(f"a webhook has no {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
        columns = {k: json.dumps(v) if k == "event_types" else v for k, v in changes.items() if v is not None}
        with self._tx() as db:
            for column, value in columns.items():
                db.execute(_UPDATE_WEBHOOK[column], (value, time.time(), webhook_id))
        return self.webhook(org, project, webhook_id)

    def delete_webhook(self, org: str, project: str, webhook_id: int) -> None:
        self.webhook(org, project, webhook_id)
        with self._tx() as db:
            db.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
            db.execute("DELETE FROM outbox WHERE webhook_id = ? AND delivered_at IS NULL", (webhook_id,))

    # -- the outbox ------------------------------------------------------------------------

    def enqueue(self, org: str, project: str, events: list[dict[str, Any]], intent_id: str | None = None,
                only_unsettled: bool = False) -> int:
        """One outbox row per (event, subscribed webhook), keyed by the event's id (also the receivers' key for
        de-duplication); a row already there is kept. With `intent_id`, the change's intent is settled in the
        same commit. An intent settled already (a recovery ran while the change was still being made) does not
        keep the change's rows out: the recovery may have looked before the change's commit; a row it queued too
        is the same row (created / deleted) or one more memory.updated (at least once). A recovery passes
        `only_unsettled`: another recovery of the intent has queued its rows. The rows written."""
        hooks = [h for h in self.webhooks(org, project) if h["is_active"]]
        rows = []
        for event in events:
            for hook in hooks:
                if event["event_type"] in hook["event_types"]:
                    event_id = _event_id(hook["webhook_id"], event)
                    sent = {k: v for k, v in event.items() if k != ONCE_KEY}
                    body = json.dumps({**sent, "event_id": event_id, "webhook_id": hook["webhook_id"]})
                    rows.append((event_id, hook["webhook_id"], body, time.time()))
        if not rows and intent_id is None:
            return 0
        with self._tx() as db:
            if intent_id is not None:
                settled = not db.execute("DELETE FROM intents WHERE id = ?", (intent_id,)).rowcount
                if settled and only_unsettled:
                    return 0
            written = db.executemany("INSERT OR IGNORE INTO outbox (id, webhook_id, body, next_at) VALUES (?, ?, ?, ?)",
                                     rows).rowcount if rows else 0
        return max(written, 0)

    def due(self, now: float, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT o.id, o.body, o.attempts, w.url, w.secret FROM outbox o JOIN webhooks w ON w.id = o.webhook_id "
            "WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_at <= ? ORDER BY o.next_at LIMIT ?",
            (now, limit))
        return [dict(r) for r in rows]

    def next_due(self) -> float | None:
        rows = self._rows("SELECT MIN(next_at) AS at FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")
        return float(rows[0]["at"]) if rows and rows[0]["at"] is not None else None

    def delivered(self, event_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", (time.time(), event_id))

    def prune_outbox(self, before: float) -> int:
        """Drop the events delivered or given up before this time; the number dropped."""
        with self._tx() as db:
            return max(db.execute("DELETE FROM outbox WHERE delivered_at < ? OR failed_at < ?", (before, before))
                       .rowcount, 0)

    def retry_later(self, event_id: str, attempts: int, next_at: float | None, error: str) -> None:
        """Count a failed attempt; `next_at` None gives the event up."""
        with self._tx() as db:
            db.execute("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, failed_at = ? WHERE id = ?",
                       (attempts, next_at or 0.0, error[:500], None if next_at else time.time(), event_id))

    # -- intents (server/intents.py) ----------------------------------------------------------

    def open_intent(self, org: str, project: str, change: str, body: dict[str, Any], owner: str) -> str | None:
        """Journal a change about to be made to the store (its own commit, before the change); None, and nothing
        written, when the project has no active webhook: then no event of the change could be lost."""
        if not any(h["is_active"] for h in self.webhooks(org, project)):
            return None
        intent_id = str(uuid.uuid4())
        with self._tx() as db:
            db.execute("INSERT INTO intents VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (intent_id, org, project, change, json.dumps(body), owner, time.time()))
        return intent_id

    def intents(self) -> list[dict[str, Any]]:
        """Every unsettled intent, oldest first (their changes may have happened without their events)."""
        rows = self._rows("SELECT * FROM intents ORDER BY started_at")
        return [{**dict(r), "body": json.loads(r["body"])} for r in rows]

    # -- feedback and exports ----------------------------------------------------------------

    def add_feedback(self, org: str, project: str, memory_id: str, feedback: str | None,
                     reason: str | None) -> dict[str, Any]:
        row = (str(uuid.uuid4()), memory_id, org, project, feedback, reason, time.time())
        with self._tx() as db:
            db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        return {"id": row[0], "memory_id": memory_id, "feedback": feedback, "feedback_reason": reason}

    def feedback_of(self, org: str, project: str, memory_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM feedback WHERE memory_id = ? AND org = ? AND project = ? ORDER BY created_at",
                          (memory_id, org, project))
        return [dict(r) for r in rows]

    def save_export(self, org: str, project: str, request: dict[str, Any]) -> str:
        export_id = str(uuid.uuid4())
        with self._tx() as db:
            db.execute("INSERT INTO exports VALUES (?, ?, ?, 'PENDING', ?, NULL, NULL, ?)",
                       (export_id, org, project, json.dumps(request), time.time()))
        return export_id

    def finish_export(self, export_id: str, result: Any, error: str | None) -> None:
        with self._tx() as db:
            db.execute("UPDATE exports SET status = ?, result = ?, error = ? WHERE id = ?",
                       ("FAILED" if error else "COMPLETED", json.dumps(result), error, export_id))

    def export(self, org: str, project: str, export_id: str | None) -> dict[str, Any]:
        """One export of the project, by id, else its latest."""
        sql = "SELECT * FROM exports WHERE org = ? AND project = ?"
        params: tuple[Any, ...] = (org, project)
        if export_id is not None:
            sql, params = sql + " AND id = ?", (*params, export_id)
        rows = self._rows(sql + " ORDER BY created_at DESC LIMIT 1", params)
        if not rows:
            raise NotFoundError("no memory export found")
        row = dict(rows[0])
        row["result"] = json.loads(row["result"]) if row["result"] else None
        row["request"] = json.loads(row["request"])
        return row


def _event_id(webhook_id: int, event: dict[str, Any]) -> str:
    """Derived from the webhook and the event's ONCE_KEY when it has one (see webhooks.project_events), else
    random (a memory is updated many times)."""
    key = event.get(ONCE_KEY)
    return str(uuid.uuid5(_EVENT_IDS, f"{webhook_id}/{key}")) if key else str(uuid.uuid4())


def _key_record(row: sqlite3.Row) -> KeyRecord:
    users = json.loads(row["user_ids"]) if row["user_ids"] else None
    return KeyRecord(id=row["id"], org=row["org"], project=row["project"], user_ids=tuple(users) if users else None,
                     created_at=row["created_at"], revoked_at=row["revoked_at"])


def _webhook(row: sqlite3.Row) -> dict[str, Any]:
    return {"webhook_id": row["id"], "name": row["name"], "url": row["url"],
            "event_types": json.loads(row["event_types"]), "is_active": bool(row["is_active"]),
            "project": row["project"], "secret": row["secret"],
            "created_at": _iso(row["created_at"]), "updated_at": _iso(row["updated_at"])}


def _iso(seconds: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
