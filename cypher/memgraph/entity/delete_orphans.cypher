// Entities of a scope that no memory mentions and no relation touches any more (pattern predicates:
// Memgraph has no EXISTS { } subquery).
MATCH (e:Entity)
WHERE e.sk = $sk AND NOT exists((:Memory)-[:MENTIONS]->(e)) AND NOT exists((e)-[:RELATES]-())
DETACH DELETE e
