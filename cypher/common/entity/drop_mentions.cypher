// A memory is deleted or re-made (update): the entities it mentioned count it no more. A hub (a count at
// $cap or more, no longer kept by add_mentions) stays one: its count is left as it is.
MATCH (m:Memory {id: $id})-[:MENTIONS]->(e:Entity)
SET e.mentions = CASE WHEN coalesce(e.mentions, 0) >= $cap THEN e.mentions
                      WHEN coalesce(e.mentions, 0) > 0 THEN e.mentions - 1 ELSE 0 END,
    e.mention_ids = [x IN coalesce(e.mention_ids, []) WHERE x <> $id]
