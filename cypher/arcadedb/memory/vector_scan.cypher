// Exact cosine over the scope's valid memories: ArcadeDB's Cypher cannot create a vector index over Bolt.
// (ArcadeDB's vector.similarity.cosine is the plain cosine, unlike Neo4j's.)
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL AND m.embedding IS NOT NULL
RETURN m.id AS id, vector.similarity.cosine(m.embedding, $vector) AS similarity
ORDER BY similarity DESC
LIMIT $k
