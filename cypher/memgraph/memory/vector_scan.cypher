// Exact cosine over the scope's valid memories, in plain openCypher.
WITH $vector AS q, sqrt(reduce(s = 0.0, x IN $vector | s + x * x)) AS q_norm
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL AND m.embedding IS NOT NULL
WITH m, q_norm, reduce(s = 0.0, i IN range(0, size(q) - 1) | s + m.embedding[i] * q[i]) AS dot,
     sqrt(reduce(s = 0.0, x IN m.embedding | s + x * x)) AS m_norm
RETURN m.id AS id, CASE WHEN m_norm * q_norm = 0 THEN 0.0 ELSE dot / (m_norm * q_norm) END AS similarity
ORDER BY similarity DESC
LIMIT $k
