// @each rows
// One HAS_EVENT edge per run: Kuzu 0.11 joins an UNWIND list to a node table by scanning it.
MATCH (m:Memory {id: $memory_id})
MATCH (ev:MemoryEvent {id: $id})
CREATE (m)-[:HAS_EVENT]->(ev)
