"""The one exception tree of graphmem.

    GraphMemError                  base of everything graphmem raises on purpose
    ├── ConfigError                a config key or value is wrong (names the field)
    ├── MissingDependencyError     an optional extra is not installed (names the extra)
    ├── ValidationError            bad input to an API call (names the field); also a ValueError
    ├── NotFoundError              a memory id that does not exist; also a ValueError, as in mem0
    ├── BackendError               the graph store failed
    │   ├── ConnectionFailedError  the graph store cannot be reached (names the URL)
    │   └── StoreInUseError        an embedded store is opened by another process (names the path)
    ├── ProviderError              an embedder or LLM call failed
    │   └── ExtractionError        the LLM's output could not be used
    ├── QueryNotFoundError         a .cypher statement is missing for a dialect
    └── RemoteError                a graphmem server answered with an error (`status`; MemoryClient)
        ├── AuthenticationError    the API key is missing, unknown or revoked, or may not touch that scope (401/403)
        └── RateLimitError         too many requests for the key (429); `retry_after` in seconds

A server's 400 / 404 answers reach MemoryClient's callers as ValidationError / NotFoundError.

Nothing is half-written: every error raised during `add`, `update` or
`delete` is raised before or instead of the single commit of the plan.

Warnings (`warnings.warn`; not errors, the call goes on):

    EmbedderChangedWarning         a store used with another embedder than the one that made its vectors
"""

from __future__ import annotations


class GraphMemError(Exception):
    """Base of every error graphmem raises on purpose."""


class ConfigError(GraphMemError, ValueError):
    """A configuration value is wrong; the message names the field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MissingDependencyError(GraphMemError, ImportError):
    """An optional dependency is missing; the message says which extra to install."""


class ValidationError(GraphMemError, ValueError):
    """Bad input to an API call; `field` names the argument."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_encodable(text: str, where: str, field: str) -> None:
    """ValidationError naming `field` when the text holds a lone surrogate (half of a UTF-16 pair, as a
    JSON "\\ud800" escape makes): no store, model or tokenizer takes it, and each failed its own way."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(f"{where} holds a lone surrogate ({text[exc.start]!r} at {exc.start}): not text "
                              "that can be stored", field=field) from None


class NotFoundError(GraphMemError, ValueError):
    """The memory id does not exist (a ValueError, as mem0 raises)."""


class BackendError(GraphMemError):
    """The graph store failed to run a statement."""


class ConnectionFailedError(BackendError):
    """The graph store cannot be reached; `url` says where we tried."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class StoreInUseError(BackendError):
    """Another process has the embedded (Kuzu) store at `path` open: Kuzu lets one process open a store.
    The message says how to share one: use it from that process only, or serve it (`graphmem serve`)."""

    # Kuzu 0.11's words when another process holds the store's file lock.
    KUZU_LOCK_MESSAGE = "could not set lock on file"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"the Kuzu store at {path!r} is in use by another process. One process opens an embedded store: use it "
            "from that process only, or share it through one server (`graphmem serve --db PATH`, then "
            "MemoryClient(host=...) in every other process), or give each process its own graph_store.config.db")
        self.path = path

    @classmethod
    def from_kuzu(cls, error: BaseException, path: str) -> StoreInUseError | None:
        """This error when `error` is Kuzu refusing to open `path` because another process holds it."""
        return cls(path) if cls.KUZU_LOCK_MESSAGE in str(error).lower() else None


class ProviderError(GraphMemError):
    """An embedder or LLM provider failed."""


class ExtractionError(ProviderError):
    """The LLM answered, but its output could not be turned into an extraction."""


class QueryNotFoundError(GraphMemError, LookupError):
    """No .cypher file for this statement name in this dialect (nor in common/)."""


class RemoteError(GraphMemError):
    """A graphmem server (`graphmem serve`) answered with an error; `status` is the HTTP status."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationError(RemoteError):
    """The server refused the API key (401), or the key may not touch that scope (403)."""


class RateLimitError(RemoteError):
    """The key sent too many requests (429); try again after `retry_after` seconds."""

    def __init__(self, message: str, *, status: int | None = 429, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class EmbedderChangedWarning(UserWarning):
    """The store's vectors were made by another embedder (or the same model run otherwise, e.g. exact against
    int8 weights): searches compare the two, so scores shift; the message names both."""
