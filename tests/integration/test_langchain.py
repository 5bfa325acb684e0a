"""GraphMemRetriever: graphmem's search as a LangChain retriever, on real Kuzu with the offline extractor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from graphmem import AsyncMemory, Memory
from graphmem.errors import GraphMemError
from graphmem.integrations.langchain import GraphMemRetriever

# Kuzu in memory, hash embedder (see tests/conftest.py): fast, and the offline extractor still builds the graph.
IN_MEMORY = {"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}, "embedder": {"provider": "hash"}}

JOHN = "John works at OpenAI and is friends with Sarah"


@pytest.fixture(scope="module")
def memory() -> Iterator[Memory]:
    with Memory(IN_MEMORY) as mem:
        mem.add(JOHN, user_id="alice")
        mem.add("Sarah lives in Paris", user_id="alice", metadata={"topic": "home"})
        mem.add("John works at OpenAI too", user_id="bob")
        yield mem


def test_documents_carry_score_scope_and_the_relations_around_them(memory: Memory) -> None:
    docs = GraphMemRetriever(memory=memory, user_id="alice", k=2).invoke("Where does John work?")
    assert docs[0].page_content == JOHN and docs[0].id == docs[0].metadata["id"]
    assert 0 < docs[0].metadata["score"] <= 1 and docs[0].metadata["user_id"] == "alice"
    relations = {(r["source"], r["relationship"], r["target"]) for r in docs[0].metadata["relations"]}
    assert ("John", "works_at", "OpenAI") in relations
    assert all(d.metadata["user_id"] == "alice" for d in docs)


def test_filters_and_chains(memory: Memory) -> None:
    retriever = GraphMemRetriever(memory=memory, user_id="alice", filters={"topic": "home"})
    chain = retriever | RunnableLambda(lambda docs: [d.page_content for d in docs])
    assert chain.invoke("Where does Sarah live?") == ["Sarah lives in Paris"]


def test_ainvoke_over_a_memory_and_over_an_async_memory(memory: Memory) -> None:
    async def run() -> list[Document]:
        found = await GraphMemRetriever(memory=memory, user_id="bob").ainvoke("OpenAI")
        core = AsyncMemory(IN_MEMORY)
        try:
            await core.add("Carol plays the violin", user_id="carol", infer=False)
            retriever = GraphMemRetriever(memory=core, user_id="carol")
            assert [d.page_content for d in await retriever.ainvoke("violin")] == ["Carol plays the violin"]
            with pytest.raises(GraphMemError, match="ainvoke only"):
                retriever.invoke("violin")
        finally:
            await core.close()
        return found

    assert [d.page_content for d in asyncio.run(run())] == ["John works at OpenAI too"]
