"""Memory exports: a scope's memories shaped to the JSON Schema a client gives, then validated against it.

Shaping is by property names, the way mem0's exports are written: the schema's first array of objects
(at the top, or the top itself) gets one item per memory, each item's properties filled from the
memory's fields with the same name (plus `content`/`text` for the memory's text); top-level strings
named like a scope id get that id. What the schema requires and a memory cannot give fails validation,
and the export is FAILED with the validator's message.
"""

from __future__ import annotations

import json
from typing import Any

from graphmem.errors import MissingDependencyError, ValidationError

_TEXT_NAMES = ("memory", "content", "text", "fact")
_MAX_DEPTH = 8


def parse_schema(schema: dict[str, Any] | str) -> dict[str, Any]:
    """The schema as an object (mem0's clients send its JSON text)."""
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"schema is not valid JSON: {exc.msg}", field="schema") from None
    if not isinstance(schema, dict):
        raise ValidationError("schema must be a JSON Schema object", field="schema")
    _validator(schema)  # an invalid schema is the caller's mistake, said now rather than in the job
    return schema


def _validator(schema: dict[str, Any]) -> Any:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - comes with the server extra
        raise MissingDependencyError("exports need jsonschema: pip install 'graphmem[server]'") from None
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ValidationError(f"schema is not a valid JSON Schema: {exc.message}", field="schema") from None
    return cls(schema)


def shape(schema: dict[str, Any], memories: list[dict[str, Any]], ids: dict[str, Any]) -> Any:
    """The export document: memories (public records) fitted to the schema."""
    return _fill(schema, memories, ids, 0)


def validate(schema: dict[str, Any], document: Any) -> str | None:
    """None when the document fits the schema, else the first error's message with its path."""
    errors = sorted(_validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].path) or "(top)"
    return f"{where}: {errors[0].message}"


def _fill(schema: dict[str, Any], memories: list[dict[str, Any]], ids: dict[str, Any], depth: int) -> Any:
    kind = schema.get("type")
    if depth > _MAX_DEPTH:
        return None
    if kind == "array":
        items = schema.get("items")
        return [_item(items if isinstance(items, dict) else {}, m) for m in memories]
    if kind == "object" or "properties" in schema:
        out: dict[str, Any] = {}
        for name, sub in (schema.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            if sub.get("type") == "array" or (sub.get("type") == "object" and "properties" in sub):
                out[name] = _fill(sub, memories, ids, depth + 1)
            elif name in ids and ids[name] is not None:
                out[name] = ids[name]
            elif name in ("count", "total", "total_memories"):
                out[name] = len(memories)
        return out
    return None


def _item(schema: dict[str, Any], memory: dict[str, Any]) -> Any:
    if schema.get("type") == "string":
        return memory.get("memory")
    out: dict[str, Any] = {}
    for name, sub in (schema.get("properties") or {}).items():
        value = memory.get("memory") if name in _TEXT_NAMES else memory.get(name)
        if value is None and isinstance(sub, dict) and name == "metadata":
            value = {}
        if value is not None:
            out[name] = value
    return out
