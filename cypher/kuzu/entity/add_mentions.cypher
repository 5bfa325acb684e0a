// @each rows
// More memories mention a stored entity: count them, and list them while the list is short.
MATCH (e:Entity {id: $id})
SET e.mention_ids = CASE WHEN coalesce(e.mentions, 0) >= $cap THEN e.mention_ids
                         WHEN e.mention_ids IS NULL THEN $memory_ids
                         ELSE list_concat(e.mention_ids, $memory_ids) END,
    e.mentions = coalesce(e.mentions, 0) + size($memory_ids)
