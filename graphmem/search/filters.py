"""mem0's metadata filters, parsed once into a predicate and evaluated on records.

    {"category": "food"}                          equality
    {"rating": {"gte": 4}}                        eq ne gt gte lt lte in nin contains icontains
    {"AND": [...]}, {"OR": [...]}, {"NOT": [...]}  logic; "*" matches any present value

Filter values never reach query text: the graph query selects the scope with
bound parameters, and these predicates run on the rows it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphmem.errors import ValidationError
from graphmem.scope import SCOPE_FIELDS

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]
_MISSING = object()


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if actual is _MISSING:
        return op in ("ne", "nin")
    try:
        return _OPERATORS[op](actual, expected)
    except TypeError:  # e.g. "a" < 3: a filter that cannot hold does not match
        return False


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


def _lookup(record: Record, key: str) -> Any:
    metadata = record.get("metadata") or {}
    if key in metadata:
        return metadata[key]
    return record.get(key, _MISSING)


def _field_predicate(key: str, condition: Any) -> Predicate:
    if condition == "*":
        return lambda record: _lookup(record, key) is not _MISSING
    if not isinstance(condition, Mapping):
        return lambda record: _compare("eq", _lookup(record, key), condition)
    checks: list[tuple[str, Any]] = []
    for op, expected in condition.items():
        if op not in _OPERATORS:
            raise ValidationError(
                f"unsupported filter operator {op!r} on {key!r}; use one of {sorted(_OPERATORS)}", field="filters")
        if op in ("in", "nin") and not isinstance(expected, (list, tuple, set)):
            raise ValidationError(f"filter operator {op!r} on {key!r} needs a list", field="filters")
        checks.append((op, expected))
    return lambda record: all(_compare(op, _lookup(record, key), e) for op, e in checks)


def _logic_operands(key: str, value: Any) -> list[Predicate]:
    if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) for v in value):
        raise ValidationError(f"{key} filter needs a non-empty list of conditions", field="filters")
    return [compile_filters(v) for v in value]


_LOGIC = {"AND": "all", "$and": "all", "OR": "any", "$or": "any", "NOT": "none", "$not": "none"}


def _combine(logic: str, parts: list[Predicate]) -> Predicate:
    if logic == "all":
        return lambda record: all(p(record) for p in parts)
    if logic == "any":
        return lambda record: any(p(record) for p in parts)
    return lambda record: not any(p(record) for p in parts)


def compile_filters(filters: Mapping[str, Any] | None) -> Predicate:
    """One predicate for a filters dict (scope keys excluded: they select the scope)."""
    if filters is None:
        return lambda record: True
    if not isinstance(filters, Mapping):
        raise ValidationError("filters must be a dict", field="filters")
    predicates: list[Predicate] = []
    for key, value in filters.items():
        if key in SCOPE_FIELDS:
            continue
        logic = _LOGIC.get(str(key))
        if logic is not None:
            predicates.append(_combine(logic, _logic_operands(str(key).strip("$").upper(), value)))
        else:
            predicates.append(_field_predicate(str(key), value))
    return lambda record: all(p(record) for p in predicates)


def has_conditions(filters: Mapping[str, Any] | None) -> bool:
    """True when the filters say more than the scope."""
    return bool(filters) and any(k not in SCOPE_FIELDS for k in (filters or {}))
