"""`GraphMemStore`: graphmem as LangGraph's long-term memory store (a `BaseStore`).

    from graphmem import Memory
    from graphmem.integrations.langgraph import GraphMemStore

    graph = builder.compile(store=GraphMemStore(Memory()))
    # in a node: store.put(("alice", "chat"), "food", {"text": "Alice is vegetarian"})
    #            store.search(("alice",), query="what does alice eat?")

A namespace is a scope, label by label: `(user_id,)`, `(user_id, agent_id)` or `(user_id, agent_id, run_id)`.
So a namespace prefix selects what graphmem's scope does: `("alice",)` spans all of alice's agents and runs.
An item is one memory, stored as it is (`infer=False`, its entities still linked into the graph): its text is
the value's `text` (or `content`, `memory`, `data`; else the fields `index=[...]` names; else the value as
JSON), and the value, key and namespace ride in the memory's metadata. A search with a query is graphmem's
hybrid search; `filter` takes LangGraph's (and mem0's) operators on the value's fields.

Works over a `Memory` (sync and async graphs: both run on its loop) or an `AsyncMemory` (async graphs only).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from graphmem.errors import GraphMemError, MissingDependencyError, ValidationError
from graphmem.memory import AsyncMemory
from graphmem.scope import Scope
from graphmem.search.filters import compile_filters
from graphmem.sync import Memory, submit

try:
    from langgraph.store.base import (
        BaseStore,
        GetOp,
        Item,
        ListNamespacesOp,
        Op,
        PutOp,
        Result,
        SearchItem,
        SearchOp,
    )
except ImportError as missing:  # the module is only imported by those who want it; say which extra
    raise MissingDependencyError("GraphMemStore needs langgraph: pip install 'graphmem[langgraph]'") from missing

KEY, NAMESPACE, VALUE = "langgraph_key", "langgraph_namespace", "langgraph_value"
TEXT_FIELDS = ("text", "content", "memory", "data")
ALL = 2**31 - 1


def namespace_scope(namespace: tuple[str, ...]) -> Scope:
    """(user_id[, agent_id[, run_id]]) as a scope; any other depth names the `namespace` as the problem."""
    if not 1 <= len(namespace) <= 3:
        raise ValidationError("a namespace is (user_id,), (user_id, agent_id) or (user_id, agent_id, run_id)",
                              field="namespace")
    return Scope.of(*namespace)


def item_text(value: dict[str, Any], index: list[str] | None) -> str:
    """What is stored and searched for an item (see the module's docstring)."""
    fields = index or [f for f in TEXT_FIELDS if isinstance(value.get(f), str) and value[f].strip()][:1]
    parts = [value[f] if isinstance(value.get(f), str) else json.dumps(value.get(f)) for f in fields if f in value]
    return " ".join(parts).strip() or json.dumps(value, ensure_ascii=False, sort_keys=True)


def _time(text: str | None) -> datetime:
    return datetime.fromisoformat(text) if text else datetime.now(timezone.utc)


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    metadata = record.get("metadata") or {}
    return {"namespace": tuple(metadata[NAMESPACE]), "key": metadata[KEY], "value": metadata[VALUE],
            "created_at": _time(record.get("created_at")),
            "updated_at": _time(record.get("updated_at") or record.get("created_at"))}


def _item(record: dict[str, Any]) -> Item:
    return Item(**_fields(record))


def _search_item(record: dict[str, Any]) -> SearchItem:
    return SearchItem(**_fields(record), score=record.get("score"))


def _is_item(record: dict[str, Any]) -> bool:
    metadata = record.get("metadata") or {}
    return KEY in metadata and NAMESPACE in metadata


class GraphMemStore(BaseStore):
    """LangGraph's BaseStore over graphmem (see the module's docstring)."""

    def __init__(self, memory: Memory | AsyncMemory) -> None:
        self.memory = memory

    @property
    def _core(self) -> AsyncMemory:
        return self.memory.async_memory if isinstance(self.memory, Memory) else self.memory

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        if not isinstance(self.memory, Memory):
            raise GraphMemError("a GraphMemStore over an AsyncMemory serves async graphs only (ainvoke, abatch); "
                                "give it a Memory for sync ones")
        return submit(self.memory, self._run_all(list(ops))).result()

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        if not isinstance(self.memory, Memory):
            return await self._run_all(list(ops))
        return await asyncio.wrap_future(submit(self.memory, self._run_all(list(ops))))

    async def _run_all(self, ops: list[Op]) -> list[Result]:
        return [await self._run(op) for op in ops]

    async def _run(self, op: Op) -> Result:
        if isinstance(op, GetOp):
            return await self._get(op.namespace, op.key)
        if isinstance(op, PutOp):
            await self._put(op)
            return None
        if isinstance(op, SearchOp):
            return await self._search(op)
        if isinstance(op, ListNamespacesOp):
            return await self._namespaces(op)
        raise ValidationError(f"unknown store operation {type(op).__name__}", field="op")

    async def _records(self, namespace: tuple[str, ...], key: str | None = None) -> list[dict[str, Any]]:
        """The items' memories under a namespace (prefix), or the one of `key` exactly in it."""
        scope = namespace_scope(namespace)
        filters = {f"metadata.{KEY}": key} if key is not None else None
        found = await self._core.get_all(filters=filters, limit=ALL, **_ids(scope))
        records = [r for r in found["results"] if _is_item(r)]
        if key is not None:
            records = [r for r in records if tuple(r["metadata"][NAMESPACE]) == namespace]
        return records

    async def _get(self, namespace: tuple[str, ...], key: str) -> Item | None:
        records = await self._records(namespace, key)
        return _item(records[0]) if records else None

    async def _put(self, op: PutOp) -> None:
        existing = await self._records(op.namespace, op.key)
        for record in existing[1:] if op.value is not None else existing:  # one memory per key
            await self._core.delete(record["id"])
        if op.value is None:
            return
        value = dict(op.value)
        text = item_text(value, op.index if isinstance(op.index, list) else None)
        metadata = {KEY: op.key, NAMESPACE: list(op.namespace), VALUE: value}
        if existing:
            await self._core.update(existing[0]["id"], text, metadata)
            return
        ids = _ids(namespace_scope(op.namespace))
        added = await self._core.add(text, infer=False, metadata=metadata, **ids)
        if not added["results"]:  # the scope holds this very text under another key: keep both apart
            await self._core.add(f"{text} ({op.key})", infer=False, metadata=metadata, **ids)

    async def _search(self, op: SearchOp) -> list[SearchItem]:
        matches = compile_filters(op.filter)
        wanted = op.offset + op.limit
        if op.query:
            scope = _ids(namespace_scope(op.namespace_prefix))
            found = await self._core.search(op.query, limit=max(wanted * 4, 50), **scope)
            records = [r for r in found["results"] if _is_item(r)]
        else:
            records = sorted(await self._records(op.namespace_prefix), key=lambda r: r.get("updated_at") or
                             r.get("created_at") or "", reverse=True)
        prefix = tuple(op.namespace_prefix)
        kept = [r for r in records if tuple(r["metadata"][NAMESPACE])[:len(prefix)] == prefix
                and matches({"metadata": r["metadata"][VALUE]})]
        return [_search_item(r) for r in kept[op.offset:wanted]]

    async def _namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        namespaces = sorted({_namespace_of(scope) for scope in await self._core.scopes() if _positional(scope)})
        for condition in op.match_conditions or ():
            namespaces = [n for n in namespaces if _matches(n, condition.match_type, tuple(condition.path))]
        if op.max_depth is not None:
            namespaces = sorted({n[:op.max_depth] for n in namespaces})
        return namespaces[op.offset:op.offset + op.limit]


def _ids(scope: Scope) -> dict[str, Any]:
    return {"user_id": scope.user_id, "agent_id": scope.agent_id, "run_id": scope.run_id}


def _positional(scope: Scope) -> bool:
    """Whether a scope is a namespace: its ids given from the user on, none skipped."""
    ids = scope.ids
    return ids[0] is not None and not (ids[1] is None and ids[2] is not None)


def _namespace_of(scope: Scope) -> tuple[str, ...]:
    return tuple(label for label in scope.ids if label is not None)


def _matches(namespace: tuple[str, ...], match_type: str, path: tuple[str, ...]) -> bool:
    """LangGraph's prefix / suffix match, "*" matching any one label."""
    if len(path) > len(namespace):
        return False
    part = namespace[:len(path)] if match_type == "prefix" else namespace[len(namespace) - len(path):]
    return all(p in ("*", label) for p, label in zip(path, part, strict=True))
