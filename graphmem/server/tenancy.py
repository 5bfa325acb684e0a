"""Tenants: a key's org/project folded into every scope it touches, and taken out of every answer.

The graph keeps one scope triple per node (user_id, agent_id, run_id). The server stores each id a
client sends as `<org>/<project>/<kind>:<id>` (u: users, a: agents, p: mem0's apps, which graphmem keeps
in the agent slot, r: runs), so isolation between projects is the same scope filter that keeps two
users apart, and every query names at least one prefixed id. Org and project names hold no '/', so a
prefix can never be forged by a client's id. Answers get the prefixes taken out: id fields lose exactly
their own prefix (clients see the ids they sent), and other text (an entity named after the user is
stored under the prefixed name) loses every `<org>/<project>/<kind>:` in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphmem.errors import GraphMemError, ValidationError

ID_FIELDS = ("user_id", "agent_id", "app_id", "run_id")
_MARKERS = {"user_id": "u:", "agent_id": "a:", "app_id": "p:", "run_id": "r:"}


class Forbidden(GraphMemError):
    """The key may not touch this scope (a key restricted to some user ids); answered with 403."""


@dataclass(frozen=True)
class Tenant:
    key_id: str
    org: str
    project: str
    user_ids: tuple[str, ...] | None = None

    @property
    def prefix(self) -> str:
        return f"{self.org}/{self.project}/"

    def _stored_user(self, user_id: str) -> str:
        if self.user_ids is not None and user_id not in self.user_ids:
            raise Forbidden(f"this key may not use user_id {user_id!r}")
        return self.prefix + _MARKERS["user_id"] + user_id

    def scope(self, ids: dict[str, Any]) -> dict[str, Any]:
        """AsyncMemory's keyword ids for the client's user_id / agent_id / app_id / run_id."""
        for field in ID_FIELDS:
            value = ids.get(field)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValidationError(f"{field!r} must be a non-empty string", field=field)
        user, agent, app, run = (ids.get(f) for f in ID_FIELDS)
        if agent is not None and app is not None:
            raise ValidationError("give 'agent_id' or 'app_id', not both (an app is an agent-like scope)",
                                  field="app_id")
        if self.user_ids is not None and user is None:
            raise Forbidden("this key is restricted to some user ids: name one as user_id")
        if user is None and agent is None and app is None and run is None:
            raise ValidationError("at least one of 'user_id', 'agent_id', 'app_id' or 'run_id' must be provided",
                                  field="user_id")
        return {
            "user_id": None if user is None else self.stored_id("user_id", user),
            "agent_id": self.stored_id("agent_id", agent) if agent is not None
            else None if app is None else self.stored_id("app_id", app),
            "run_id": None if run is None else self.stored_id("run_id", run),
        }

    def entity_scope(self, kind: str, name: str) -> dict[str, Any]:
        """The scope of one of mem0's entities (`user`, `agent`, `app`, `run`)."""
        field = {"user": "user_id", "agent": "agent_id", "app": "app_id", "run": "run_id"}.get(kind)
        if field is None:
            raise ValidationError("entity type must be user, agent, app or run", field="entity_type")
        return self.scope({field: name})

    def owns(self, row: dict[str, Any]) -> bool:
        """Whether a stored memory (its prefixed ids) belongs to this tenant and this key may see it."""
        ids = [row.get(f) for f in ("user_id", "agent_id", "run_id")]
        present = [i for i in ids if i is not None]
        if not present or not all(isinstance(i, str) and i.startswith(self.prefix) for i in present):
            return False
        user = row.get("user_id")
        if self.user_ids is None:
            return True
        return user is not None and self._local("user_id", user) in self.user_ids

    def _local(self, field: str, stored: str) -> str:
        """The id a client sent, from its stored form (exactly one prefix and marker taken off)."""
        head = self.prefix + _MARKERS[field]
        return stored[len(head):] if stored.startswith(head) else stored

    def public(self, value: Any) -> Any:
        """An answer with the tenant's prefixes taken out (ids, and entity names made from ids)."""
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if key == "agent_id" and isinstance(item, str) and item.startswith(self.prefix + _MARKERS["app_id"]):
                    out["app_id"] = self._local("app_id", item)
                elif key in _MARKERS and isinstance(item, str):
                    out[key] = self._local(key, item)
                else:
                    out[key] = self.public(item)
            return out
        if isinstance(value, list):
            return [self.public(v) for v in value]
        if isinstance(value, str) and self.prefix in value:
            return re.sub(re.escape(self.prefix) + "[uapr]:", "", value)
        return value

    def filters(self, filters: dict[str, Any] | None) -> dict[str, Any] | None:
        """mem0 filters with every id condition (at any depth) in stored form."""
        if filters is None:
            return None
        if not isinstance(filters, dict):
            raise ValidationError("filters must be an object", field="filters")
        stored: dict[str, Any] = self._filter_node(filters, 0)
        return stored

    def _filter_node(self, node: Any, depth: int) -> Any:
        if depth > 32:
            raise ValidationError("filters are nested too deeply", field="filters")
        if isinstance(node, list):
            return [self._filter_node(n, depth + 1) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ID_FIELDS:
                stored_key = "agent_id" if key == "app_id" else key
                out[stored_key] = self._stored_condition(key, value)
            else:
                out[key] = self._filter_node(value, depth + 1)
        return out

    def stored_id(self, field: str, value: str) -> str:
        """One id as stored (a restricted key's user ids are checked)."""
        if field == "user_id":
            return self._stored_user(value.strip())
        return self.prefix + _MARKERS[field] + value.strip()

    def _stored_condition(self, field: str, value: Any) -> Any:
        if isinstance(value, str):
            return self.stored_id(field, value)
        if isinstance(value, list):
            return [self._stored_condition(field, v) for v in value]
        if isinstance(value, dict):
            return {op: self._stored_condition(field, v) if op not in ("*",) else v for op, v in value.items()}
        return value


def split_filters(filters: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The scope ids a mem0 filter names (top level, or plain conditions in a top-level AND) and the rest."""
    if not filters:
        return {}, None
    rest = dict(filters)
    ids = {f: rest.pop(f) for f in ID_FIELDS if isinstance(rest.get(f), str)}
    conditions = rest.get("AND") or rest.get("$and")
    if not ids and isinstance(conditions, list):
        kept = []
        for condition in conditions:
            if isinstance(condition, dict) and len(condition) == 1:
                [(key, value)] = condition.items()
                if key in ID_FIELDS and isinstance(value, str) and key not in ids:
                    ids[key] = value
                    continue
            kept.append(condition)
        rest["AND" if "AND" in rest else "$and"] = kept
        if not kept:
            rest.pop("AND", None)
            rest.pop("$and", None)
    for key in ("OR", "$or", "NOT", "$not"):  # an empty list means no condition, as mem0's clients send them
        if rest.get(key) == []:
            rest.pop(key)
    return ids, rest or None
