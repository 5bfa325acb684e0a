"""mem0's metadata filters, parsed once into a predicate and evaluated on records.

Every spelling mem0's docs use is accepted:

    {"category": "food"}                           a bare key: metadata first, then the record's own field
    {"metadata.category": "food"}                  a metadata key only
    {"metadata": {"category": "food"}}             the same, nested
    {"rating": {"gte": 4}}, {"rating": {"$gte": 4}}  eq ne gt gte lt lte in nin contains icontains
    {"AND": [...]}, {"OR": [...]}, {"NOT": [...]}   logic (also $and / $or / $not); "*" matches any present value

Top-level `user_id` / `agent_id` / `run_id` select the scope (memory.py reads them); inside AND / OR /
NOT they are conditions on the rows of that scope: they narrow it, never widen it.

Filter values never reach query text: the graph query selects the scope with bound parameters, and
these predicates run on the rows it returns (`store_prefilter` gives one bound value that narrows the
rows a store lists first; the predicate still decides).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from graphmem.errors import ValidationError
from graphmem.scope import SCOPE_FIELDS

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]
Lookup = Callable[[Record], Any]

# Deep enough for any filter a person or a program writes; shallow enough that a hostile one is refused
# before Python's recursion limit turns it into a RecursionError.
MAX_DEPTH = 32
_MISSING = object()
_METADATA_PREFIX = "metadata."
# Fields of a returned record (records.memory_record) that a bare key may also name.
_RECORD_FIELDS = frozenset({"id", "memory", "hash", "created_at", "updated_at", "memory_type", "invalid_at",
                            "expiration_date", "actor_id", "role", *SCOPE_FIELDS})


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return str(expected) in actual
    return isinstance(actual, (list, tuple, set)) and expected in actual


def _icontains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return str(expected).lower() in actual.lower()
    if isinstance(actual, (list, tuple, set)):
        return str(expected).lower() in {str(a).lower() for a in actual}
    return False


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, e: bool(a == e),
    "ne": lambda a, e: bool(a != e),
    "gt": lambda a, e: bool(a > e),
    "gte": lambda a, e: bool(a >= e),
    "lt": lambda a, e: bool(a < e),
    "lte": lambda a, e: bool(a <= e),
    "in": lambda a, e: a in e,
    "nin": lambda a, e: a not in e,
    "contains": _contains,
    "icontains": _icontains,
}
_LOGIC = {"AND": "all", "$and": "all", "OR": "any", "$or": "any", "NOT": "none", "$not": "none"}


def _as_time(actual: Any, expected: Any) -> Any:
    """A stored ISO-8601 text (created_at, a date in metadata) read as a time when the filter gives a date or
    a datetime: {"created_at": {"gte": datetime(2024, 7, 1)}}. A naive datetime is UTC, as everywhere."""
    if not isinstance(actual, str) or not isinstance(expected, date):
        return actual
    try:
        when = datetime.fromisoformat(actual.strip().replace("Z", "+00:00"))
    except ValueError:
        return actual
    if not isinstance(expected, datetime):
        return when.date()
    if expected.tzinfo is None:  # naive: UTC
        return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _iso_time(text: Any) -> date | None:
    """A condition's "YYYY-MM-DD" (a date) or ISO-8601 datetime text ("...T..."), else None."""
    if not isinstance(text, str) or len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else None
    except ValueError:
        return None


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if actual is _MISSING:
        return op in ("ne", "nin")
    if op in ("gt", "gte", "lt", "lte") and isinstance(actual, str):  # mem0's {"created_at": {"gte": "2024-07-20"}}
        expected = _iso_time(expected) or expected
    actual = _as_time(actual, expected)
    try:
        return _OPERATORS[op](actual, expected)
    except TypeError:  # e.g. "a" < 3: a filter that cannot hold does not match
        return False


# -- where a key's value is read -------------------------------------------------------------------


def _metadata_value(record: Record, key: str) -> Any:
    """A metadata key; "a.b" is the key "a.b", else b inside the dict under a."""
    metadata = record.get("metadata") or {}
    if key in metadata:
        return metadata[key]
    value: Any = metadata
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _bare_value(record: Record, key: str) -> Any:
    metadata = record.get("metadata") or {}
    if key in metadata:
        return metadata[key]
    return record.get(key, _MISSING)


def _lookup(key: str, *, metadata_only: bool = False) -> Lookup:
    if metadata_only:
        return lambda record: _metadata_value(record, key)
    if key in SCOPE_FIELDS:  # a scope id is the record's, never a metadata key of that name
        return lambda record: record.get(key, _MISSING)
    return lambda record: _bare_value(record, key)


# -- parsing ---------------------------------------------------------------------------------------


def _too_deep(value: Any, depth: int) -> bool:
    """True when a value nests deeper than MAX_DEPTH lists or dicts (checked without recursion)."""
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend((v, level + 1) for v in item)
    return False


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValidationError(f"filter keys must be non-empty strings, not {key!r}", field="filters")
    return key


def _operator(name: Any, key: str) -> str:
    op = name[1:] if isinstance(name, str) and name.startswith("$") else name
    if op not in _OPERATORS:
        raise ValidationError(f"unknown filter operator {name!r} on {key!r}; use one of {sorted(_OPERATORS)} "
                              "(with or without a leading $)", field="filters")
    return str(op)


def _field_predicate(key: str, condition: Any, lookup: Lookup, depth: int) -> Predicate:
    if _too_deep(condition, depth):
        raise ValidationError(f"the filter on {key!r} nests deeper than {MAX_DEPTH} levels", field="filters")
    if condition == "*":
        return lambda record: lookup(record) is not _MISSING
    if not isinstance(condition, Mapping):
        return lambda record: _compare("eq", lookup(record), condition)
    if not condition:
        raise ValidationError(f"the filter on {key!r} is an empty dict; give a value or an operator such as "
                              "{\"eq\": ...}", field="filters")
    checks: list[tuple[str, Any]] = []
    for name, expected in condition.items():
        op = _operator(name, key)
        if op in ("in", "nin") and not isinstance(expected, (list, tuple, set)):
            raise ValidationError(f"filter operator {name!r} on {key!r} needs a list", field="filters")
        checks.append((op, expected))
    return lambda record: all(_compare(op, lookup(record), e) for op, e in checks)


def _metadata_block(value: Any, depth: int) -> list[Predicate]:
    """{"metadata": {"key": condition, ...}}: conditions on metadata keys."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationError("a 'metadata' filter needs a non-empty dict of metadata keys", field="filters")
    return [_field_predicate(key, condition, _lookup(key, metadata_only=True), depth + 1)
            for key, condition in ((_check_key(k), c) for k, c in value.items())]


def _logic_operands(key: str, value: Any, depth: int) -> list[Predicate]:
    if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) and v for v in value):
        raise ValidationError(f"{key} filter needs a non-empty list of non-empty conditions", field="filters")
    return [_conjunction(v, depth + 1, top=False) for v in value]


def _combine(logic: str, parts: list[Predicate]) -> Predicate:
    if logic == "all":
        return lambda record: all(p(record) for p in parts)
    if logic == "any":
        return lambda record: any(p(record) for p in parts)
    return lambda record: not any(p(record) for p in parts)


def _conjunction(filters: Mapping[Any, Any], depth: int, *, top: bool) -> Predicate:
    """Every condition of one filters dict; scope keys are skipped at the top, where they select the scope."""
    if depth > MAX_DEPTH:
        raise ValidationError(f"filters nest deeper than {MAX_DEPTH} levels", field="filters")
    predicates: list[Predicate] = []
    for raw_key, value in filters.items():
        key = _check_key(raw_key)
        if top and key in SCOPE_FIELDS:
            continue
        logic = _LOGIC.get(key)
        if logic is not None:
            predicates.append(_combine(logic, _logic_operands(key.strip("$").upper(), value, depth)))
        elif key == "metadata":
            predicates.extend(_metadata_block(value, depth))
        elif key.startswith(_METADATA_PREFIX) and len(key) > len(_METADATA_PREFIX):
            field = key[len(_METADATA_PREFIX):]
            predicates.append(_field_predicate(key, value, _lookup(field, metadata_only=True), depth))
        else:
            predicates.append(_field_predicate(key, value, _lookup(key), depth))
    return lambda record: all(p(record) for p in predicates)


def compile_filters(filters: Mapping[str, Any] | None) -> Predicate:
    """One predicate for a filters dict (top-level scope keys excluded: they select the scope).
    Any malformed filter raises ValidationError(field="filters") naming what is wrong."""
    if filters is None:
        return lambda record: True
    if not isinstance(filters, Mapping):
        raise ValidationError(f"filters must be a dict, not {type(filters).__name__}", field="filters")
    return _conjunction(filters, 0, top=True)


def has_conditions(filters: Mapping[str, Any] | None) -> bool:
    """True when the filters say more than the scope."""
    return isinstance(filters, Mapping) and any(k not in SCOPE_FIELDS for k in filters)


# -- narrowing what a store lists ------------------------------------------------------------------


def _metadata_equalities(filters: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Top-level (metadata key, value) pairs the filters require to be equal."""
    pairs: list[tuple[str, Any]] = []
    for key, value in filters.items():
        if key == "metadata" and isinstance(value, Mapping):
            pairs.extend(_metadata_equalities({f"{_METADATA_PREFIX}{k}": v for k, v in value.items()}))
        elif isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("eq", "$eq"):
            expected = next(iter(value.values()))
            if not isinstance(expected, Mapping):
                pairs.extend(_metadata_equalities({key: expected}))
        elif key.startswith(_METADATA_PREFIX) and "." not in key[len(_METADATA_PREFIX):]:
            pairs.append((key[len(_METADATA_PREFIX):], value))
        elif key not in _RECORD_FIELDS and key not in _LOGIC and key != "metadata" and "." not in key:
            pairs.append((key, value))
    return pairs


def store_prefilter(filters: Mapping[str, Any] | None) -> str | None:
    """A text every matching memory's stored metadata contains, or None.

    The store keeps metadata as JSON (ingest/plan.memory_create_params: sort_keys, ensure_ascii=False),
    so a required top-level string value appears as `"key": "value"` in it. A store can list the rows
    containing it (a bound parameter) instead of the whole scope; the predicate still decides."""
    if not isinstance(filters, Mapping):
        return None
    for key, value in _metadata_equalities(filters):
        if isinstance(value, str) and value != "*":
            return f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
    return None
