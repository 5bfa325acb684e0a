// @each rows
// One DERIVED_FROM edge per run: Kuzu 0.11 joins an UNWIND list to a node table by scanning it.
MATCH (m:Memory {id: $memory_id})
MATCH (ep:Episode {id: $episode_id})
CREATE (m)-[:DERIVED_FROM]->(ep)
