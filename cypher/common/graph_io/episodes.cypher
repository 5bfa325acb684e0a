// Every episode (message) of a scope, and its counter row (role 'counter': how many episodes the scope
// has had and when it was last said to), which an import must carry so that later adds number on.
MATCH (ep:Episode)
WHERE ($user_id IS NULL OR ep.user_id = $user_id) AND ($agent_id IS NULL OR ep.agent_id = $agent_id)
  AND ($run_id IS NULL OR ep.run_id = $run_id)
RETURN ep.id AS id, ep.role AS role, ep.name AS name, ep.content AS content, ep.occurred_at AS occurred_at,
       ep.user_id AS user_id, ep.agent_id AS agent_id, ep.run_id AS run_id
ORDER BY ep.occurred_at, ep.id
