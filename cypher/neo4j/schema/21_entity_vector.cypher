CREATE VECTOR INDEX entity_emb IF NOT EXISTS FOR (e:Entity) ON e.embedding
OPTIONS {indexConfig: {`vector.dimensions`: <<dims>>, `vector.similarity_function`: 'cosine'}}
