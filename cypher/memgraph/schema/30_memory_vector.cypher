// Native vector index (Memgraph 3.x, USearch); <<dims>> is the embedder's size, an integer.
CREATE VECTOR INDEX memory_emb ON :Memory(embedding) WITH CONFIG {"dimension": <<dims>>, "capacity": 1000, "metric": "cos"}
