// Every valid memory embedding of a scope, loaded once into the in-process vector search.
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id, m.embedding AS embedding
