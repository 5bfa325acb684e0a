// Entities of a scope that no memory mentions and no relation touches. A memory's mentions are read from its
// `entity_ids` list, not from `NOT EXISTS { MATCH (:Memory)-[:MENTIONS]->(e) }`: in Kuzu 0.11.3 that missed the
// MENTIONS edges made in the same transaction from a memory deleted and re-created there (update()) once the
// tables had been checkpointed, and deleted mentioned entities with their edges (bench/RESULTS.md). The count
// (add_mentions, drop_mentions) only picks the candidates; a NULL count (a store from before them) is left alone.
MATCH (e:Entity)
WHERE e.sk = $sk AND e.mentions <= 0 AND NOT EXISTS { MATCH (e)-[:RELATES]-() }
  AND NOT EXISTS { MATCH (m:Memory) WHERE m.sk = $sk AND list_contains(m.entity_ids, e.id) }
DETACH DELETE e
