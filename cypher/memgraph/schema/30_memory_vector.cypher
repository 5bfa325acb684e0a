// Native vector index (Memgraph 3.x, USearch); <<dims>> is the embedder's size, an integer. "capacity" is the
// index's initial size (not verified here against a Memgraph server: see cypher/README.md).
CREATE VECTOR INDEX memory_emb ON :Memory(embedding) WITH CONFIG {"dimension": <<dims>>, "capacity": 10000, "metric": "cos"}
