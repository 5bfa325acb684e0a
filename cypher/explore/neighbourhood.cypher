// A user's neighbourhood: their entities and the valid relations between them, as a graph.
// Parameters: $user_id (e.g. :param user_id => 'alice' in Neo4j Browser). Drop the LIMIT to see everything.
MATCH (a:Entity)-[r:RELATES]->(b:Entity)
WHERE a.user_id = $user_id AND r.invalid_at IS NULL
RETURN a, r, b
LIMIT 200
