// Whether the database holds any RELATES edge at all (ended ones too): a store added without extraction holds
// none, and its searches then skip the graph hop (KuzuBackend.read, graph/neighbours).
MATCH (:Entity)-[r:RELATES]->(:Entity)
RETURN r.id AS id
LIMIT 1
