// Memories of a scope that held at $at: said on or before it, not superseded by then; latest first.
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
  AND m.valid_at <= $at AND (m.invalid_at IS NULL OR m.invalid_at > $at)
RETURN m.id AS id, m.text AS text, m.hash AS hash, m.metadata AS metadata, m.memory_type AS memory_type,
       m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id, m.actor_id AS actor_id,
       m.role AS role, m.created_at AS created_at, m.updated_at AS updated_at,
       m.valid_at AS valid_at, m.invalid_at AS invalid_at
ORDER BY valid_at DESC
LIMIT $limit
