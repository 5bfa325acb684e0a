// A user's most connected entities: valid relations either way, and how many memories mention each.
// Parameters: $user_id.
MATCH (e:Entity)
WHERE e.user_id = $user_id
OPTIONAL MATCH (e)-[r:RELATES]-(:Entity)
WHERE r.invalid_at IS NULL
WITH e, count(r) AS relations
OPTIONAL MATCH (m:Memory)-[:MENTIONS]->(e)
RETURN e.name AS entity, e.type AS type, relations, count(m) AS memories
ORDER BY relations + memories DESC, entity
LIMIT 25
