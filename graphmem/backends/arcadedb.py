"""ArcadeDB over its Bolt plugin (the server can run from the `arcadedb-embedded` package): statements in
`cypher/arcadedb/`.

What differs from the other Bolt engines: its Cypher creates no vector or full-text index, so
vector search is the exact per-scope scan (`*/vector_scan`) and keyword search the scan shared
with Memgraph (`cypher/bolt/memory/fulltext`); `memory/list` sorts before its LIMIT. Its DDL is
`cypher/bolt/schema/` as is (it honours IF NOT EXISTS). The connection, transactions, retries and
error mapping are the shared Bolt code in `_bolt.py`.
"""

from __future__ import annotations

from graphmem.backends._bolt import BoltBackend


class ArcadeDBBackend(BoltBackend):
    dialect = "arcadedb"
