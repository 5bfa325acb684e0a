// A scope's current entities (any subset of the three ids), the most mentioned first: the explore tools' entity
// list. Current: a valid memory names it or a valid relation touches it. An entity kept only for history (its
// memories superseded, its relations ended, e.g. Google after update("I work at Google." -> "... Microsoft."))
// is not listed; as_of reads still reach it.
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
  AND (EXISTS { MATCH (m:Memory)-[:MENTIONS]->(e) WHERE m.invalid_at IS NULL }
       OR EXISTS { MATCH (e)-[r:RELATES]-(:Entity) WHERE r.invalid_at IS NULL })
RETURN e.id AS id, e.name AS name, e.name_norm AS name_norm, e.type AS type, e.aliases AS aliases,
       e.mentions AS mentions, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id
ORDER BY mentions DESC, name
LIMIT $limit
