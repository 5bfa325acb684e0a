// Valid memories of a scope whose stored metadata (JSON text) contains $contains, newest first; any subset of
// the three ids. (Sorted in a WITH first, as arcadedb/memory/list: ArcadeDB 26.10 fails on ORDER BY ... LIMIT
// 2^31-1.)
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id) AND ($run_id IS NULL OR m.run_id = $run_id)
  AND m.invalid_at IS NULL AND m.metadata CONTAINS $contains
WITH m
ORDER BY m.created_at DESC
RETURN m.id AS id, m.text AS text, m.hash AS hash, m.metadata AS metadata, m.memory_type AS memory_type,
       m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id, m.actor_id AS actor_id,
       m.role AS role, m.created_at AS created_at, m.updated_at AS updated_at,
       m.valid_at AS valid_at, m.invalid_at AS invalid_at
LIMIT $limit
