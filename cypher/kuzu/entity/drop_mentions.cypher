// A memory is deleted or re-made (update): the entities it mentioned count it no more.
// (Kuzu 0.11 has no list comprehension, and a lambda cannot read a parameter: it is bound by WITH first.)
MATCH (m:Memory {id: $id})-[:MENTIONS]->(e:Entity)
WITH e, $id AS gone
SET e.mentions = CASE WHEN coalesce(e.mentions, 0) > 0 THEN e.mentions - 1 ELSE 0 END,
    e.mention_ids = list_filter(coalesce(e.mention_ids, CAST([] AS STRING[])), x -> x <> gone)
