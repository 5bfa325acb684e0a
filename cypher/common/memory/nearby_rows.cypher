// The memories an add shows the extractor, with their embeddings (reconciliation compares the new
// facts with them) and what an UPDATE keeps (scope, role, metadata, creation time, episodes).
UNWIND $ids AS wanted
MATCH (m:Memory {id: wanted})
RETURN m.id AS id, m.text AS text, m.hash AS hash, m.embedding AS embedding, m.metadata AS metadata,
       m.memory_type AS memory_type, m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id,
       m.actor_id AS actor_id, m.role AS role, m.created_at AS created_at, m.updated_at AS updated_at,
       m.valid_at AS valid_at, m.invalid_at AS invalid_at, m.episode_ids AS episode_ids
