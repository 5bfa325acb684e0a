"""A known conversation for the graph view, export/import and explorer tests: alex lives in Paris (2023),
moves to Berlin (2024: the Paris memory and relation are superseded), likes pizza, then pepperoni pizza
(an UPDATE, so history has two events), and the demo's friends (John, Sarah). The facts come from the
scripted LLMServer through the real openai SDK; the rest is stored with infer=False."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from llm_support import entity, fact, relation

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer

USER = "alex"
PARIS = {"facts": [fact("alex lives in Paris", "alex", "Paris")],
         "entities": [entity("alex", "person"), entity("Paris", "location")],
         "relations": [relation("alex", "lives_in", "Paris", "alex lives in Paris")]}
BERLIN = {"facts": [fact("alex lives in Berlin", "alex", "Berlin", contradicts="m1")],
          "entities": [entity("alex", "person"), entity("Berlin", "location")],
          "relations": [relation("alex", "lives_in", "Berlin", "alex lives in Berlin")]}
PIZZA = {"facts": [fact("alex likes pizza", "alex", "pizza")],
         "entities": [entity("alex", "person"), entity("pizza", "food")],
         "relations": [relation("alex", "likes", "pizza", "alex likes pizza")]}
PEPPERONI = {"facts": [fact("alex likes pepperoni pizza", "alex", "pepperoni pizza", updates="m1")],
             "entities": [entity("alex", "person"), entity("pepperoni pizza", "food")],
             "relations": [relation("alex", "likes", "pepperoni pizza", "alex likes pepperoni pizza")]}
FRIENDS = {"facts": [fact("John works at OpenAI", "John", "OpenAI"),
                     fact("John is friends with Sarah", "John", "Sarah")],
           "entities": [entity("John", "person"), entity("OpenAI", "organization"), entity("Sarah", "person")],
           "relations": [relation("John", "works_at", "OpenAI", "John works at OpenAI"),
                         relation("John", "friend_of", "Sarah", "John is friends with Sarah")]}
SCRIPT = {"I live in Paris": PARIS, "I moved from Paris to Berlin": BERLIN, "I like pizza": PIZZA,
          "pepperoni": PEPPERONI, "John works at OpenAI": FRIENDS}
SAID = [("I live in Paris", "2023-01-10T09:00:00Z"), ("I like pizza", "2023-02-01T09:00:00Z"),
        ("John works at OpenAI and is friends with Sarah", "2023-03-01T09:00:00Z"),
        ("I moved from Paris to Berlin", "2024-01-15T09:00:00Z"),
        ("Actually I like pepperoni pizza most", "2024-02-01T09:00:00Z")]
PLAIN = [("Sarah plays the violin in an orchestra", "2023-04-01T09:00:00Z")]
BEFORE_MOVE = "2023-06-01T00:00:00Z"


def store_config(db: str | Path, server: LLMServer | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {"db": str(db)}},
                              "embedder": {"provider": "hash"}}
    if server is not None:
        config["llm"] = {"provider": "openai", "config": {"openai_base_url": server.openai_base_url,
                                                          "api_key": "test-key", "retry_delay": 0.0, "timeout": 5.0}}
    return config


def fill(memory: Memory) -> None:
    """Say the known conversation, in time order."""
    for text, when in SAID:
        memory.add(text, user_id=USER, timestamp=when)
    for text, when in PLAIN:
        memory.add(text, user_id=USER, timestamp=when, infer=False)


@contextmanager
def known_store(db: str | Path) -> Iterator[Memory]:
    """A Memory on `db` holding the known conversation (the LLM server runs only while it is said)."""
    with LLMServer(SCRIPT) as server, Memory(store_config(db, server)) as memory:
        fill(memory)
    with Memory(store_config(db)) as memory:
        yield memory
