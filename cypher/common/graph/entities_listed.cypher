// A scope's entities (any subset of the three ids), the most mentioned first: the explore tools' entity list.
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, e.name AS name, e.name_norm AS name_norm, e.type AS type, e.aliases AS aliases,
       e.mentions AS mentions, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id
ORDER BY mentions DESC, name
LIMIT $limit
