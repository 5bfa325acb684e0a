// @each ids as id
// Memories that mention an entity, unless it is a hub (more than $max_degree memories mention it,
// e.g. the user): hubs say nothing about which memories matter. Read from the entity's lookup list.
MATCH (e:Entity {id: $id})
WHERE e.mentions <= $max_degree
UNWIND e.mention_ids AS memory
RETURN e.id AS entity_id, memory AS memory_id, e.mentions AS degree
