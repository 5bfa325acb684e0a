// @each rows
// One MENTIONS edge per run: Kuzu 0.11 joins an UNWIND list to a node table by scanning it.
MATCH (m:Memory {id: $memory_id})
MATCH (e:Entity {id: $entity_id})
CREATE (m)-[:MENTIONS]->(e)
