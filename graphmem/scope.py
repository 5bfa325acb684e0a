"""Scopes: the user_id / agent_id / run_id triple every node carries and every read filters on.

Besides the ids themselves, nodes carry code-derived hex keys: `sk` for the
exact triple (entity resolution and de-duplication happen within one exact
scope) and `uk`/`ak`/`rk` for each id (a search by user_id alone spans that
user's agents and runs). The keys are the only scope values that may appear
inside query text (Kuzu's projected-graph predicates take no parameters);
they are digests, never the ids a user gave.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphmem.errors import ValidationError, check_encodable

SCOPE_FIELDS = ("user_id", "agent_id", "run_id")


def scope_key(*parts: str | None) -> str:
    """A 32-hex-digit digest of the parts (None and '' differ)."""
    joined = "\x1f".join("\x00" if p is None else f"={p}" for p in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Scope:
    user_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None

    @classmethod
    def of(cls, user_id: Any = None, agent_id: Any = None, run_id: Any = None, *, required: bool = True) -> Scope:
        """Validate the ids (strings, stripped, non-empty); at least one unless `required` is False."""
        values: dict[str, str | None] = {}
        for field, value in zip(SCOPE_FIELDS, (user_id, agent_id, run_id), strict=True):
            values[field] = _check_id(field, value)
        scope = cls(**values)
        if required and scope.is_empty():
            raise ValidationError(
                "at least one of 'user_id', 'agent_id' or 'run_id' must be provided", field="user_id")
        return scope

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Scope:
        """The exact scope of a stored row (a memory's, an entity's): its own user, agent and run ids."""
        return cls.of(row["user_id"], row["agent_id"], row["run_id"])

    def is_empty(self) -> bool:
        return self.user_id is None and self.agent_id is None and self.run_id is None

    def params(self) -> dict[str, str | None]:
        """The ids as bound parameters of the scope filter."""
        return {"user_id": self.user_id, "agent_id": self.agent_id, "run_id": self.run_id}

    @property
    def ids(self) -> tuple[str | None, str | None, str | None]:
        """(user_id, agent_id, run_id), as a stored row's owner (inprocess/vectors.Owner) is given."""
        return self.user_id, self.agent_id, self.run_id

    @property
    def key(self) -> str:
        """The exact-scope key (`sk`)."""
        return scope_key(self.user_id, self.agent_id, self.run_id)

    def keys(self) -> dict[str, str | None]:
        """The exact-scope key and per-id keys stored on every node."""
        return {
            "sk": self.key,
            "uk": None if self.user_id is None else scope_key("user", self.user_id),
            "ak": None if self.agent_id is None else scope_key("agent", self.agent_id),
            "rk": None if self.run_id is None else scope_key("run", self.run_id),
        }


def _check_id(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field!r} must be a string, got {type(value).__name__}", field=field)
    stripped = value.strip()
    if not stripped:
        raise ValidationError(f"{field!r} must not be empty", field=field)
    check_encodable(stripped, field, field)
    return stripped
