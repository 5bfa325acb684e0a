// @each ids as id
// The vector columns of memories and their hashes, one primary-key lookup per id (~0.45 ms each at 100k rows;
// vectors_of_ids for many).
MATCH (m:Memory {id: $id})
RETURN m.id AS id, m.embedding AS embedding, m.parts AS parts, m.context_embedding AS context_embedding,
       hash(m.embedding) AS embedding_hash, hash(m.parts) AS parts_hash,
       hash(m.context_embedding) AS context_hash
