// vectors_in_scope without its vector columns, with Kuzu's hash of each instead: a row whose hashes are those
// saved beside the store takes its vectors from there (graphmem/inprocess/vector_files.py); the rest are read
// by id (vectors_by_id, vectors_of_ids).
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, m.text AS text, m.hash AS hash, m.metadata AS metadata,
       m.memory_type AS memory_type, m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id,
       m.actor_id AS actor_id, m.role AS role, m.created_at AS created_at, m.updated_at AS updated_at,
       m.valid_at AS valid_at, m.invalid_at AS invalid_at, m.episode_ids AS episode_ids, m.entity_ids AS entity_ids,
       hash(m.embedding) AS embedding_hash, hash(m.parts) AS parts_hash,
       hash(m.context_embedding) AS context_hash
