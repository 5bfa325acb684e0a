// The messages (episodes) a memory came from: its provenance, as the explorer shows it.
MATCH (m:Memory {id: $id})-[:DERIVED_FROM]->(ep:Episode)
RETURN ep.id AS id, ep.role AS role, ep.name AS name, ep.content AS content, ep.occurred_at AS occurred_at
ORDER BY ep.occurred_at, ep.id
