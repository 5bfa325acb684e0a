"""Build the parts a config names. Imports are lazy: only the chosen provider's modules load."""

from __future__ import annotations

import importlib
from typing import cast

from graphmem.backends.base import GraphBackend
from graphmem.config import BoltStore, KuzuStore, MemoryConfig
from graphmem.errors import ConfigError
from graphmem.ingest.extract import Extractor

# graph_store provider -> "module:class". A backend is one module of graphmem/backends/ plus its
# cypher/<dialect>/ folder; the Bolt ones share their connection code (graphmem/backends/_bolt.py).
BACKENDS = {
    "kuzu": "graphmem.backends.kuzu:KuzuBackend",
    "neo4j": "graphmem.backends.neo4j:Neo4jBackend",
    "memgraph": "graphmem.backends.memgraph:MemgraphBackend",
    "arcadedb": "graphmem.backends.arcadedb:ArcadeDBBackend",
}


def backend_class(provider: str) -> type:
    """The backend class registered for a graph_store provider (its module imported now)."""
    try:
        module, _, name = BACKENDS[provider].partition(":")
    except KeyError:
        raise ConfigError(f"graph_store provider {provider!r} is not available in this version",
                          field="graph_store.provider") from None
    found: type = getattr(importlib.import_module(module), name)
    return found


def create_backend(store: KuzuStore | BoltStore) -> GraphBackend:
    return cast(GraphBackend, backend_class(store.provider)(store.config))


def create_extractor(config: MemoryConfig) -> Extractor:
    """The LLM extractor when `llm` is configured (its SDK is checked now), else the offline one."""
    if config.llm is not None:
        from graphmem.ingest.llm_extract import LLMExtractor
        from graphmem.llm import create_llm

        return LLMExtractor(create_llm(config.llm))
    from graphmem.ingest.offline import OfflineExtractor

    return OfflineExtractor(linker=config.extractor.linker, worker=config.extractor.worker)
