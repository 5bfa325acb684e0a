"""The graph store part of the configuration (mem0's `graph_store` keys). `graphmem.config` re-exports it.

mem0 1.x named five graph store providers: neo4j and memgraph (served here over Bolt), kuzu (the default
here), and neptune / neptunedb (Amazon Neptune, which graphmem does not speak: such a config opens the
embedded Kuzu store instead, and says so in a log line). Each provider's keys are accepted; the ones that
change nothing here (`llm`, `custom_prompt`, `threshold`, Neo4j's `base_label`, Neptune's `app_id`, ...)
are documented as such.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

logger = logging.getLogger("graphmem.config")


def default_home() -> Path:
    """Where graphmem keeps its data unless told otherwise (`GRAPHMEM_DIR`)."""
    return Path(os.environ.get("GRAPHMEM_DIR") or Path.home() / ".graphmem")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Mem0GraphKeys(_Strict):
    """Keys of mem0's GraphStoreConfig besides provider and config: accepted, unused (one LLM call extracts
    entities and relations together here, and entities are resolved by name, alias and embedding)."""

    llm: dict[str, Any] | None = Field(default=None, description="Accepted for mem0 configs; unused (the "
                                                                 "top-level `llm` extracts the graph too).")
    custom_prompt: str | None = Field(default=None, description="Accepted for mem0 configs; unused (see "
                                                                "custom_fact_extraction_prompt).")
    threshold: float = Field(default=0.7, ge=0.0, le=1.0, description="Accepted for mem0 configs; unused.")


class KuzuConfig(_Strict):
    db: str = Field(default_factory=lambda: str(default_home() / "kuzu"),
                    description="Directory of the database, or ':memory:'.")
    buffer_pool_size: int | None = Field(
        default=None, gt=0, description="Most bytes of page cache; None lets Kuzu choose (80% of the RAM, reserved "
                                        "as address space, used as needed). 256 MiB filled up at ~55k memories.")
    # Kuzu 0.11.3 checkpoints when its write-ahead log passes this; a checkpoint took ~1 s per 10k memories
    # in the store however little was written (measured: 0.9 s at 9k, 4.1 s at 40k), every ~2,400 added
    # messages at Kuzu's 16 MiB. At 64 MiB, adding 40k messages took 5% less time, more as the store grows.
    checkpoint_threshold: int = Field(default=64 * 2**20, gt=0, description=(
        "Bytes of write-ahead log after which Kuzu checkpoints (Kuzu's default: 16 MiB). Each checkpoint costs "
        "about a second per 10k memories in the store, so fewer of them keep large stores' adds fast; the log "
        "on disk, and replaying it after a crash, grow with it."))
    # Kuzu 0.11.3 compresses a FLOAT[] list column's values (ALP) and, once a store is reopened, loses the values it
    # cannot encode that are appended into a chunk written before: a sparse embedder's vectors read back as zeros
    # (bench/kuzu_sparse_lists.py). Off, a store of e5 vectors is ~2% larger (30.1 -> 30.7 MB, one LOCOMO
    # conversation); one of sparse vectors 24-27% (bench/RESULTS.md, sessions 28-29).
    compression: bool = Field(default=False, description=(
        "Kuzu's compression of the columns it writes. Off by default: with it on, Kuzu 0.11.3 can lose "
        "vector values appended after a store was reopened (mostly-zero vectors; bench/kuzu_sparse_lists.py). "
        "Chunks already written keep the setting they were written with."))


class KuzuStore(_Mem0GraphKeys):
    provider: Literal["kuzu"] = "kuzu"
    # An embedded store opens on first use; a server is connected to when `Memory` is made (see sync.py).
    server: ClassVar[bool] = False
    config: KuzuConfig = Field(default_factory=KuzuConfig)

    @field_validator("config", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any) -> Any:
        return {} if value is None else value


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class BoltConfig(_Strict):
    """mem0's Neo4j/Memgraph keys, plus graphmem's connection settings. Used for neo4j, memgraph and arcadedb."""

    url: str = Field(description="bolt://host:7687, or neo4j://host:7687 for a routing cluster "
                                 "(+s / +ssc for TLS).")
    username: str | None = None
    password: str | None = None
    database: str | None = Field(default=None, description="Else the server's default database.")
    base_label: bool | None = Field(default=None, description="Accepted for mem0 configs; unused (graphmem's "
                                                              "labels are fixed: Entity, Memory, ...).")
    connection_timeout: float = Field(default=5.0, gt=0, description="Seconds to reach the server before "
                                                                      "ConnectionFailedError.")
    max_connection_pool_size: int = Field(default=50, gt=0)
    max_retry_time: float = Field(default=15.0, ge=0, description="Seconds a transaction is retried after "
                                                                  "transient errors (deadlocks, leader changes).")

    @field_validator("url")
    @classmethod
    def _bolt_url(cls, value: str) -> str:
        scheme, sep, rest = value.strip().partition("://")
        if not sep or scheme.lower() not in BOLT_SCHEMES or not rest.strip("/"):
            raise ValueError(f"must be a Bolt URL such as bolt://localhost:7687 (schemes: {', '.join(BOLT_SCHEMES)})")
        return value.strip()


class BoltStore(_Mem0GraphKeys):
    """A server spoken to over Bolt. mem0's graph_store keys `llm`, `custom_prompt` and `threshold` are accepted."""

    provider: Literal["neo4j", "memgraph", "arcadedb"]
    config: BoltConfig
    server: ClassVar[bool] = True


class NeptuneConfig(_Strict):
    """mem0's Neptune keys, accepted so that its configs load."""

    endpoint: str | None = Field(default=None, description="neptune-graph://<id> or neptune-db://<host>.")
    app_id: str | None = None
    base_label: bool | None = None
    collection_name: str | None = None


def neptune_to_kuzu(value: Any) -> Any:
    """A mem0 Neptune graph_store as the default Kuzu store (graphmem has no Neptune backend), logged."""
    if not isinstance(value, dict) or value.get("provider") not in ("neptune", "neptunedb"):
        return value
    config = value.get("config") or {}
    unknown = sorted(set(config) - set(NeptuneConfig.model_fields)) if isinstance(config, dict) else ["config"]
    if unknown:
        raise ValueError(f"unknown key(s) {unknown} in a Neptune config; its keys are {[*NeptuneConfig.model_fields]}")
    kept = {key: value[key] for key in ("llm", "custom_prompt", "threshold") if key in value}
    logger.warning("graph_store provider %r: graphmem has no Neptune backend; using the embedded Kuzu store at "
                   "%s (set graph_store to neo4j, memgraph or kuzu to choose)", value["provider"],
                   KuzuConfig().db)
    return {"provider": "kuzu", **kept}


def note_vector_store(value: Any) -> Any:
    """mem0's `vector_store`: graphmem keeps each vector on its graph node, so it is accepted and unused."""
    if value is not None:
        provider = value.get("provider", "qdrant") if isinstance(value, dict) else type(value).__name__
        logger.info("vector_store (%s) is not used: graphmem keeps vectors on the graph's nodes, in the graph "
                    "store", provider)
    return value
