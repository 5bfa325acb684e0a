// @each ids as id
// The memories an episode gave, from its lookup list; episodes belong to one exact scope, and
// memories deleted or superseded since are dropped when the results are read.
MATCH (ep:Episode {id: $id})
UNWIND ep.memory_ids AS memory
RETURN ep.id AS episode_id, memory AS memory_id
