// A user's memories with the message each came from and the entities it mentions, newest first.
// Parameters: $user_id.
MATCH (m:Memory)
WHERE m.user_id = $user_id AND m.invalid_at IS NULL
OPTIONAL MATCH (m)-[:DERIVED_FROM]->(ep:Episode)
OPTIONAL MATCH (m)-[:MENTIONS]->(e:Entity)
RETURN m.text AS memory, m.created_at AS created_at, collect(DISTINCT ep.content) AS said,
       collect(DISTINCT e.name) AS entities
ORDER BY created_at DESC
LIMIT 50
