"""mem0 2.x call forms that AsyncMemory accepts: expiration dates, metadata merges, keywords that change nothing.

Kept out of memory.py so that the API's orchestration stays short; every function here is pure.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from graphmem.errors import ValidationError, check_encodable
from graphmem.scope import SCOPE_FIELDS
from graphmem.search.filters import MAX_DEPTH, compile_filters, has_conditions
from graphmem.search.when import aware, iso_utc, parse_time

# mem0's platform keywords that select output shapes or processing modes graphmem does not have: one
# output format (v1.1's), one API version, calls that finish before they return, every field returned.
IGNORED_KEYWORDS = frozenset({"output_format", "version", "async_mode", "includes", "excludes"})
EXPIRATION_KEY = "expiration_date"
# Ids that update() never moves a memory between (as mem0: they are fixed when a memory is made).
_IDENTITY_KEYS = frozenset({*SCOPE_FIELDS, "actor_id"})


class Unset:
    """The default of `update(expiration_date=)`: None there means "clear the date"."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


def check_ignored(method: str, options: Mapping[str, Any]) -> None:
    """Accept mem0's no-op keywords; any other unknown keyword is a ValidationError naming it."""
    unknown = sorted(set(options) - IGNORED_KEYWORDS)
    if unknown:
        raise ValidationError(f"{method}() got unexpected keyword argument(s) {unknown}; mem0's "
                              f"{sorted(IGNORED_KEYWORDS)} are accepted and change nothing", field=unknown[0])


def expiration(value: Any) -> str | None:
    """mem0's `expiration_date`: a date, a datetime (its date) or a "YYYY-MM-DD" string, as that string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValidationError("expiration_date must be a date or a 'YYYY-MM-DD' string", field=EXPIRATION_KEY)


def expiration_change(value: Any) -> str | Unset | None:
    """update()'s `expiration_date`: UNSET keeps the stored date, None clears it, a date replaces it."""
    return value if isinstance(value, Unset) else expiration(value)


def with_expiration(metadata: dict[str, Any] | None, expires: str | None) -> dict[str, Any] | None:
    """The metadata to store: mem0 keeps the expiration date among a memory's metadata."""
    if expires is None:
        return metadata
    return {**(metadata or {}), EXPIRATION_KEY: expires}


def is_expired(record: Mapping[str, Any], today: date | None = None) -> bool:
    """True when the record's expiration date is before today (UTC), as mem0: it expires after that day."""
    expires = record.get(EXPIRATION_KEY)
    if not expires:
        return False
    try:
        return date.fromisoformat(str(expires)) < (today or datetime.now(timezone.utc).date())
    except ValueError:  # a date someone wrote by hand: never hides a memory
        return False


def update_text(data: Any, text: Any) -> str | None:
    """The new text update() stores: `text` (mem0 2.x), else `data` (its older name); None keeps the stored one."""
    chosen = text if text is not None else data
    if chosen is None:
        return None
    if not isinstance(chosen, str) or not chosen.strip():
        raise ValidationError("text must be a non-empty string", field="text" if text is not None else "data")
    return chosen


def merged_metadata(stored: dict[str, Any], given: dict[str, Any] | None,
                    expires: str | Unset | None) -> dict[str, Any]:
    """As mem0's update: the given keys replace the stored ones, the others stay; scope ids are not metadata.
    An `expires` of None removes the date, UNSET keeps it."""
    merged = dict(stored)
    merged.update({k: v for k, v in (given or {}).items() if k not in _IDENTITY_KEYS})
    if isinstance(expires, str):
        merged[EXPIRATION_KEY] = expires
    elif expires is None:
        merged.pop(EXPIRATION_KEY, None)
    return merged


def check_update_args(data: Any, text: Any, metadata: Any, expires: Any) -> None:
    if data is None and text is None and metadata is None and isinstance(expires, Unset):
        raise ValidationError("update() needs text, metadata or expiration_date", field="text")


def record_filter(filters: Mapping[str, Any] | None, show_expired: bool) -> Callable[[dict[str, Any]], bool] | None:
    """What search and get_all keep of the scope's records: those passing the filters and, unless
    `show_expired`, not expired. None when that is every record. Malformed filters raise here, before any I/O."""
    matches = compile_filters(filters) if filters is not None else None  # validates even scope-only filters
    if not has_conditions(filters):
        matches = None
    if show_expired:
        return matches
    if matches is None:
        return lambda record: not is_expired(record)
    return lambda record: matches(record) and not is_expired(record)


def check_metadata(metadata: Any) -> dict[str, Any] | None:
    """`metadata` as stored: a dict of JSON values whose keys are strings at every level (the store writes it
    with sorted keys, which mixed key types cannot be), nested no deeper than MAX_DEPTH."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise ValidationError("metadata must be a dict", field="metadata")
    stack: list[tuple[Any, int]] = [(metadata, 0)]
    while stack:  # without recursion: a hostile nesting is refused, not a RecursionError
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError(f"metadata nests deeper than {MAX_DEPTH} levels", field="metadata")
        if isinstance(item, dict):
            bad = [key for key in item if not isinstance(key, str)]
            if bad:
                raise ValidationError(f"metadata keys must be strings, not {bad[0]!r}", field="metadata")
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((value, depth + 1) for value in item)
    try:
        stored = json.dumps(metadata, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"metadata must be JSON-serialisable: {exc}", field="metadata") from None
    check_encodable(stored, "metadata", "metadata")
    return metadata


def scope_ids(user_id: Any, agent_id: Any, run_id: Any, filters: Mapping[str, Any] | None) -> tuple[Any, Any, Any]:
    """The scope's ids from the keywords or from mem0 2.x's `filters={"user_id": ...}`; the same id given both
    ways with two values is a ValidationError naming it (graphmem would otherwise have to pick one)."""
    given = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id}
    for key, value in given.items():
        in_filters = (filters or {}).get(key)
        if value is None:
            given[key] = in_filters
        elif in_filters is not None and in_filters != value:
            raise ValidationError(f"{key} is {value!r} but filters say {in_filters!r}; give it once", field=key)
    return given["user_id"], given["agent_id"], given["run_id"]


def check_timestamp(value: Any) -> tuple[str, date] | None:
    """mem0's `timestamp` (Unix seconds, a number or digits), or a datetime (naive: UTC), or an ISO-8601
    string: the time in UTC, and the day it was where it was said (its offset's date; the LLM's "today")."""
    if value is None:
        return None
    try:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            when: datetime | None = datetime.fromtimestamp(float(value), timezone.utc)
        elif isinstance(value, datetime):
            when = aware(value)
        else:
            when = parse_time(value.strip()) if isinstance(value, str) else None
        if when is None:
            raise ValueError(value)
        return iso_utc(when), when.date()
    except (ValueError, OverflowError, OSError):
        raise ValidationError("timestamp must be Unix seconds, a datetime or an ISO-8601 string",
                              field="timestamp") from None


def check_limit(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{field!r} must be a non-negative integer", field=field)
    return value


def check_memory_id(memory_id: Any) -> str:
    if not isinstance(memory_id, str) or not memory_id.strip():
        raise ValidationError("memory_id must be a non-empty string", field="memory_id")
    check_encodable(memory_id, "memory_id", "memory_id")
    return memory_id.strip()
