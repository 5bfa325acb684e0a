// Every memory of a scope (any subset of the three ids), superseded ones too, with all its properties:
// what graph(), export and the explorer read. The embedding only when $embeddings (it is most of a row), and
// then the sentences' embeddings (`parts`) and the context's (`context_embedding`), Kuzu's only: null on the
// Bolt stores.
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
RETURN m.id AS id, m.text AS text, m.hash AS hash, m.metadata AS metadata, m.memory_type AS memory_type,
       m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id, m.actor_id AS actor_id,
       m.role AS role, m.created_at AS created_at, m.updated_at AS updated_at,
       m.valid_at AS valid_at, m.invalid_at AS invalid_at, m.episode_ids AS episode_ids,
       m.entity_ids AS entity_ids, CASE WHEN $embeddings THEN m.embedding ELSE NULL END AS embedding,
       CASE WHEN $embeddings THEN m.parts ELSE NULL END AS parts,
       CASE WHEN $embeddings THEN m.context_embedding ELSE NULL END AS context_embedding
ORDER BY m.valid_at, m.id
