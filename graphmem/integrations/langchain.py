"""`GraphMemRetriever`: graphmem's search as a LangChain retriever.

    from graphmem import Memory
    from graphmem.integrations.langchain import GraphMemRetriever

    retriever = GraphMemRetriever(memory=Memory(), user_id="alice", k=5)
    docs = retriever.invoke("Where does John work?")
    docs[0].page_content                 # "John works at OpenAI and is friends with Sarah"
    docs[0].metadata["score"]            # fused relevance in [0, 1]
    docs[0].metadata["relations"]        # [{"source": "John", "relationship": "works_at", "target": "OpenAI", ...}]

Each Document is one memory; its metadata holds the memory's id, score, times, scope and own metadata, and
the relations the search found that touch an entity the memory names (the graph around it). Over a `Memory`
it serves `invoke` and `ainvoke`; over an `AsyncMemory`, `ainvoke` only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphmem.errors import GraphMemError, MissingDependencyError
from graphmem.ingest.normalize import normalise_name
from graphmem.memory import AsyncMemory
from graphmem.sync import Memory, submit

try:
    from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict
except ImportError as missing:  # the module is only imported by those who want it; say which extra
    raise MissingDependencyError("GraphMemRetriever needs langchain-core: pip install 'graphmem[langchain]'") \
        from missing

_SCOPE_KEYS = ("user_id", "agent_id", "run_id")


def _touches(relation: dict[str, Any], text: str) -> bool:
    """Whether a relation's source or target is named in the memory's text (or the relation is its fact)."""
    said = f" {normalise_name(text)} "
    ends = (normalise_name(str(relation.get(k) or "")) for k in ("source", "target"))
    return relation.get("fact") == text or any(end and f" {end} " in said for end in ends)


def to_documents(found: dict[str, Any]) -> list[Document]:
    """A search's results as Documents, each with its score and the relations around it in metadata."""
    documents = []
    for record in found["results"]:
        metadata = {"id": record["id"], "score": record.get("score"), "created_at": record.get("created_at"),
                    "updated_at": record.get("updated_at"), "metadata": record.get("metadata") or {},
                    "relations": [r for r in found["relations"] if _touches(r, record["memory"])]}
        metadata.update({k: record[k] for k in _SCOPE_KEYS if record.get(k) is not None})
        documents.append(Document(page_content=record["memory"], metadata=metadata, id=record["id"]))
    return documents


class GraphMemRetriever(BaseRetriever):
    """graphmem's hybrid search (vector, keyword, graph) as a retriever; see the module's docstring."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    memory: Memory | AsyncMemory
    user_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None
    k: int = 10
    filters: dict[str, Any] | None = None
    threshold: float | None = None

    def _options(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "agent_id": self.agent_id, "run_id": self.run_id, "limit": self.k,
                "filters": self.filters, "threshold": self.threshold}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        if not isinstance(self.memory, Memory):
            raise GraphMemError("a GraphMemRetriever over an AsyncMemory serves ainvoke only; give it a Memory "
                                "for invoke")
        return to_documents(self.memory.search(query, **self._options()))

    async def _aget_relevant_documents(self, query: str, *,
                                       run_manager: AsyncCallbackManagerForRetrieverRun) -> list[Document]:
        if isinstance(self.memory, Memory):  # its own loop runs the search; this one waits for it
            search = self.memory.async_memory.search(query, **self._options())
            return to_documents(await asyncio.wrap_future(submit(self.memory, search)))
        return to_documents(await self.memory.search(query, **self._options()))
