"""Neo4j 5.x over Bolt (`bolt://`, or `neo4j://` routing for clusters): statements in `cypher/neo4j/`.

What differs from the other Bolt engines: native vector indexes (`db.index.vector.queryNodes`,
HNSW over cosine) and a Lucene full-text index, both created by `cypher/neo4j/schema/`. The
connection, transactions, retries and error mapping are the shared Bolt code in `_bolt.py`.
"""

from __future__ import annotations

from graphmem.backends._bolt import BoltBackend


class Neo4jBackend(BoltBackend):
    dialect = "neo4j"
    vector_index = True
    # IF NOT EXISTS covers a second open; an index of another name on the same property is "equivalent".
    schema_exists_errors = ("already exist", "equivalent")
