// @each ids as id
// The episodes a memory came from, read from its lookup list (a DERIVED_FROM hop scans in Kuzu 0.11).
MATCH (m:Memory {id: $id})
UNWIND m.episode_ids AS episode
RETURN m.id AS memory_id, episode AS episode_id
