"""graphmem: graph-first memory for AI agents, with mem0's API.

    from graphmem import Memory
    memory = Memory()                       # embedded Kuzu in ~/.graphmem, local embeddings, offline
    memory.add("I love pizza", user_id="alex")
    memory.search("food", user_id="alex")   # {"results": [...], "relations": [...]}

Importing this package loads nothing heavy: models, databases and NLP load on first use.
"""

from graphmem.config import MemoryConfig
from graphmem.errors import (
    AuthenticationError,
    BackendError,
    ConfigError,
    ConnectionFailedError,
    ExtractionError,
    GraphMemError,
    MissingDependencyError,
    NotFoundError,
    ProviderError,
    QueryNotFoundError,
    RateLimitError,
    RemoteError,
    ValidationError,
)
from graphmem.memory import AsyncMemory
from graphmem.sync import Memory

__all__ = [
    "AsyncMemory",
    "AsyncMemoryClient",
    "AuthenticationError",
    "BackendError",
    "ConfigError",
    "ConnectionFailedError",
    "ExtractionError",
    "GraphMemError",
    "Memory",
    "MemoryClient",
    "MemoryConfig",
    "MissingDependencyError",
    "NotFoundError",
    "ProviderError",
    "QueryNotFoundError",
    "RateLimitError",
    "RemoteError",
    "ValidationError",
]
__version__ = "0.1.0"

_CLIENTS = ("MemoryClient", "AsyncMemoryClient")


def __getattr__(name: str) -> object:
    """The HTTP clients load (with httpx) only when asked for: importing graphmem stays cheap."""
    if name in _CLIENTS:
        from graphmem import client

        return getattr(client, name)
    raise AttributeError(f"module 'graphmem' has no attribute {name!r}")
