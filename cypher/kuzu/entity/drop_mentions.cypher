// A memory is deleted or re-made (update): the entities it mentioned count it no more. A hub (a count at
// $cap or more, no longer kept by add_mentions) stays one: its count is left as it is.
// (Kuzu 0.11 has no list comprehension, and a lambda cannot read a parameter: it is bound by WITH first.)
MATCH (m:Memory {id: $id})-[:MENTIONS]->(e:Entity)
WITH e, $id AS gone, $cap AS cap
SET e.mentions = CASE WHEN coalesce(e.mentions, 0) >= cap THEN e.mentions
                      WHEN coalesce(e.mentions, 0) > 0 THEN e.mentions - 1 ELSE 0 END,
    e.mention_ids = list_filter(coalesce(e.mention_ids, CAST([] AS STRING[])), x -> x <> gone)
