// More memories mention stored entities: count them, and list them while the list is short.
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.mention_ids = CASE WHEN coalesce(e.mentions, 0) >= $cap THEN e.mention_ids
                         WHEN e.mention_ids IS NULL THEN row.memory_ids
                         ELSE e.mention_ids + row.memory_ids END,
    e.mentions = coalesce(e.mentions, 0) + size(row.memory_ids)
