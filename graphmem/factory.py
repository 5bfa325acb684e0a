"""Build the parts a config names. Imports are lazy: only the chosen provider's modules load."""

from __future__ import annotations

from graphmem.backends.base import GraphBackend
from graphmem.config import BoltStore, KuzuStore, MemoryConfig
from graphmem.errors import ConfigError
from graphmem.ingest.extract import Extractor


def create_backend(store: KuzuStore | BoltStore) -> GraphBackend:
    if isinstance(store, KuzuStore):
        from graphmem.backends.kuzu import KuzuBackend

        return KuzuBackend(store.config)
    if isinstance(store, BoltStore):
        from graphmem.backends.bolt import BoltBackend

        return BoltBackend(store.provider, store.config)
    raise ConfigError(f"graph_store provider {store.provider!r} is not available in this version",
                      field="graph_store.provider")


def create_extractor(config: MemoryConfig) -> Extractor:
    """The LLM extractor when `llm` is configured (its SDK is checked now), else the offline one."""
    if config.llm is not None:
        from graphmem.ingest.llm_extract import LLMExtractor
        from graphmem.llm import create_llm

        return LLMExtractor(create_llm(config.llm))
    from graphmem.ingest.offline import OfflineExtractor

    return OfflineExtractor(linker=config.extractor.linker)
