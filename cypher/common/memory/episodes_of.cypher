MATCH (m:Memory {id: $id})-[:DERIVED_FROM]->(ep:Episode)
RETURN ep.id AS episode_id
