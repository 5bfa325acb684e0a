// The vector columns of many memories and their hashes in one statement: Kuzu 0.11 joins $ids with a scan of
// the table (~0.85 s at 100k rows, then ~0.07 ms a row; `WHERE m.id IN $ids` tests each row against the whole
// list: 2,000 ids took 1.4 s).
UNWIND $ids AS i
MATCH (m:Memory {id: i})
RETURN m.id AS id, m.embedding AS embedding, m.parts AS parts, m.context_embedding AS context_embedding,
       hash(m.embedding) AS embedding_hash, hash(m.parts) AS parts_hash,
       hash(m.context_embedding) AS context_hash
