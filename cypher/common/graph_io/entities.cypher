// Every entity of a scope with all its properties; has_embedding tells an entity linked without one
// (infer=False) from one that an import must embed again when the vectors are left out.
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id)
RETURN e.id AS id, e.name AS name, e.name_norm AS name_norm, e.type AS type, e.summary AS summary,
       e.aliases AS aliases, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id,
       e.created_at AS created_at, e.updated_at AS updated_at, e.mentions AS mentions,
       e.mention_ids AS mention_ids, e.embedding IS NOT NULL AS has_embedding,
       CASE WHEN $embeddings THEN e.embedding ELSE NULL END AS embedding
ORDER BY e.created_at, e.id
