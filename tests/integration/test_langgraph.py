"""GraphMemStore as LangGraph's store: the BaseStore operations on real Kuzu, and a compiled StateGraph with a
fake chat model that remembers in one run and recalls in the next."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.store.base import BaseStore

from graphmem import AsyncMemory, Memory
from graphmem.errors import GraphMemError, ValidationError
from graphmem.integrations.langgraph import GraphMemStore

# Kuzu in memory, hash embedder (see tests/conftest.py): fast, and the offline extractor still builds the graph.
IN_MEMORY = {"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}, "embedder": {"provider": "hash"}}


@pytest.fixture
def memory() -> Iterator[Memory]:
    with Memory(IN_MEMORY) as mem:
        yield mem


def test_put_get_search_delete_and_namespaces(memory: Memory) -> None:
    store = GraphMemStore(memory)
    store.put(("alice", "chat"), "food", {"text": "Alice is a vegetarian and loves pizza", "topic": "food"})
    store.put(("alice", "chat"), "job", {"text": "Alice works as a nurse in Berlin", "topic": "work"})
    store.put(("alice",), "pet", {"content": "Alice has a cat called Tom", "topic": "pets"})
    store.put(("bob",), "food", {"text": "Bob loves pizza", "topic": "food"})

    item = store.get(("alice", "chat"), "food")
    assert item is not None and item.value["topic"] == "food" and item.namespace == ("alice", "chat")
    assert store.get(("alice",), "food") is None  # get is exact; search takes a prefix

    found = store.search(("alice",), query="who loves pizza?", limit=2)
    assert found[0].key == "food" and found[0].score is not None
    assert {i.namespace[0] for i in store.search(("alice",), limit=10)} == {"alice"}
    assert [i.key for i in store.search(("alice",), filter={"topic": "work"})] == ["job"]
    assert [i.key for i in store.search(("alice", "chat"), filter={"topic": {"$ne": "food"}})] == ["job"]

    store.put(("alice", "chat"), "job", {"text": "Alice works as a doctor in Paris", "topic": "work"})
    updated = store.get(("alice", "chat"), "job")
    assert updated is not None and "doctor" in updated.value["text"]
    assert len(store.search(("alice", "chat"), limit=10)) == 2

    store.delete(("alice", "chat"), "food")
    assert store.get(("alice", "chat"), "food") is None
    assert store.list_namespaces() == [("alice",), ("alice", "chat"), ("bob",)]
    assert store.list_namespaces(prefix=("alice",), max_depth=1) == [("alice",)]
    assert store.list_namespaces(suffix=("chat",)) == [("alice", "chat")]


def test_bad_namespaces_name_the_field(memory: Memory) -> None:
    store = GraphMemStore(memory)
    with pytest.raises(ValidationError) as caught:
        store.put(("a", "b", "c", "d"), "k", {"text": "x"})
    assert caught.value.field == "namespace"


def test_an_async_memory_serves_async_graphs_only() -> None:
    async def run() -> None:
        memory = AsyncMemory(IN_MEMORY)
        try:
            store = GraphMemStore(memory)
            await store.aput(("carol",), "k", {"text": "Carol plays the violin"})
            assert [i.key for i in await store.asearch(("carol",), query="violin")] == ["k"]
            with pytest.raises(GraphMemError, match="async graphs only"):
                store.get(("carol",), "k")
        finally:
            await memory.close()

    asyncio.run(run())


def build_graph(store: BaseStore, replies: list[str]) -> Any:
    """remember: keep what the user says; answer: a (fake) model replies with what the store recalls."""
    model = FakeListChatModel(responses=replies)

    def remember(state: MessagesState, *, store: BaseStore) -> dict[str, list[AnyMessage]]:
        said = state["messages"][-1]
        if "remember" in str(said.content).lower():
            store.put(("alice", "assistant"), f"note-{len(store.search(('alice',), limit=100))}",
                      {"text": str(said.content).split(":", 1)[-1].strip()})
        return {"messages": []}

    def answer(state: MessagesState, *, store: BaseStore) -> dict[str, list[AnyMessage]]:
        recalled = store.search(("alice",), query=str(state["messages"][-1].content), limit=1)
        context = recalled[0].value["text"] if recalled else "nothing"
        reply = model.invoke([HumanMessage(f"Known: {context}"), *state["messages"]])
        return {"messages": [AIMessage(f"{reply.content} [{context}]")]}

    builder = StateGraph(MessagesState)
    builder.add_node("remember", remember)
    builder.add_node("answer", answer)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", "answer")
    return builder.compile(store=store)


def test_a_compiled_graph_remembers_in_one_run_and_recalls_in_the_next(memory: Memory) -> None:
    graph = build_graph(GraphMemStore(memory), ["Noted.", "You live in Lisbon."])
    first = graph.invoke({"messages": [HumanMessage("Please remember: Alice lives in Lisbon")]})
    assert first["messages"][-1].content.startswith("Noted.")
    second = graph.invoke({"messages": [HumanMessage("Where does Alice live?")]})  # a new run, no shared state
    assert second["messages"][-1].content == "You live in Lisbon. [Alice lives in Lisbon]"
    assert memory.get_all(user_id="alice")["results"][0]["memory"] == "Alice lives in Lisbon"


def test_the_same_graph_runs_async(memory: Memory) -> None:
    graph = build_graph(GraphMemStore(memory), ["Noted.", "Lisbon."])

    async def runs() -> str:
        await graph.ainvoke({"messages": [HumanMessage("remember: Alice lives in Lisbon")]})
        second = await graph.ainvoke({"messages": [HumanMessage("Where does Alice live?")]})
        return str(second["messages"][-1].content)

    assert asyncio.run(runs()) == "Lisbon. [Alice lives in Lisbon]"
