// @each ids as id
// The entities a memory mentions, from its lookup list (a MENTIONS hop scans in Kuzu 0.11).
MATCH (m:Memory {id: $id})
UNWIND m.entity_ids AS entity
RETURN m.id AS memory_id, entity AS entity_id
