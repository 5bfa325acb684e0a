// Entities of a scope that no memory mentions and no relation touches any more.
MATCH (e:Entity)
WHERE e.sk = $sk AND NOT EXISTS { MATCH (:Memory)-[:MENTIONS]->(e) } AND NOT EXISTS { MATCH (e)-[:RELATES]-() }
DETACH DELETE e
