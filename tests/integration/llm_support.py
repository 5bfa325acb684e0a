"""Helpers for the LLM tests: scripted answers and Memories wired to the local LLMServer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer

KUZU_MEMORY = {"provider": "kuzu", "config": {"db": ":memory:"}}


def fact(text: str, *entities: str, updates: str | None = None, contradicts: str | None = None) -> dict[str, Any]:
    return {"text": text, "entities": list(entities), "updates": updates, "contradicts": contradicts}


def entity(name: str, kind: str = "thing", *aliases: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "aliases": list(aliases)}


def relation(source: str, rel: str, target: str, text: str, valid_at: str | None = None) -> dict[str, Any]:
    return {"source": source, "relation": rel, "target": target, "fact": text, "valid_at": valid_at}


PIZZA = {
    "facts": [fact("alex loves pizza", "alex", "pizza")],
    "entities": [entity("alex", "person"), entity("pizza", "food")],
    "relations": [relation("alex", "loves", "pizza", "alex loves pizza")],
}
EMPTY = {"facts": [], "entities": [], "relations": []}


def llm_config(server: LLMServer, provider: str = "openai", **config: Any) -> dict[str, Any]:
    """An llm config block aimed at the server, with instant retries."""
    url_key = {"openai": "openai_base_url", "anthropic": "anthropic_base_url"}[provider]
    url = server.openai_base_url if provider == "openai" else server.url
    return {"provider": provider, "config": {url_key: url, "api_key": "test-key", "retry_delay": 0.0,
                                             "timeout": 5.0, **config}}


def memory_config(llm: dict[str, Any] | None, embedder: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"graph_store": KUZU_MEMORY, "embedder": embedder or {"provider": "hash"}, "llm": llm}


@contextmanager
def llm_memory(config: dict[str, Any]) -> Iterator[Memory]:
    """A Memory closed at the end (its close also closes the API clients)."""
    memory = Memory(config)
    try:
        yield memory
    finally:
        memory.close()
