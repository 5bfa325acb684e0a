"""Memgraph 3.x over Bolt: statements in `cypher/memgraph/`.

What differs from the other Bolt engines: its own DDL (no IF NOT EXISTS: a second open is told
"already exists", which is fine), native vector indexes searched with `vector_search.search`,
and pattern predicates instead of `EXISTS { }` subqueries. The connection, transactions, retries
and error mapping are the shared Bolt code in `_bolt.py`.
"""

from __future__ import annotations

from graphmem.backends._bolt import BoltBackend


class MemgraphBackend(BoltBackend):
    dialect = "memgraph"
    vector_index = True
    schema_exists_errors = ("already exist",)
