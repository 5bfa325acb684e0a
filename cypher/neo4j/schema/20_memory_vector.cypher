// Native vector index (Neo4j 5.13+): HNSW over cosine; <<dims>> is the embedder's size, an integer.
CREATE VECTOR INDEX memory_emb IF NOT EXISTS FOR (m:Memory) ON m.embedding
OPTIONS {indexConfig: {`vector.dimensions`: <<dims>>, `vector.similarity_function`: 'cosine'}}
