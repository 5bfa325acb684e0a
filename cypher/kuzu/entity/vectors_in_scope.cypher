// Every entity of a scope (embedding, names, and what an add's entity resolution reads), loaded once into RAM
// on the scope's first search or add.
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id, e.embedding AS embedding,
       e.name AS name, e.name_norm AS name_norm, e.aliases AS aliases, e.type AS type, e.mentions AS mentions
