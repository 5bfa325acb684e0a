WITH $vector AS q, sqrt(reduce(s = 0.0, x IN $vector | s + x * x)) AS q_norm
MATCH (e:Entity)
WHERE ($user_id IS NULL OR e.user_id = $user_id) AND ($agent_id IS NULL OR e.agent_id = $agent_id)
  AND ($run_id IS NULL OR e.run_id = $run_id) AND e.embedding IS NOT NULL
WITH e, q_norm, reduce(s = 0.0, i IN range(0, size(q) - 1) | s + e.embedding[i] * q[i]) AS dot,
     sqrt(reduce(s = 0.0, x IN e.embedding | s + x * x)) AS e_norm
RETURN e.id AS id, CASE WHEN e_norm * q_norm = 0 THEN 0.0 ELSE dot / (e_norm * q_norm) END AS similarity,
       e.name AS name
ORDER BY similarity DESC
LIMIT $k
