// Entity linking of a query: entities of the scope named (or aliased) by one of the query's n-grams.
WITH $names AS names
MATCH (e:Entity)
WHERE (e.name_norm IN names OR any(a IN e.aliases WHERE a IN names))
  AND ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, e.name AS name, e.name_norm AS name_norm
