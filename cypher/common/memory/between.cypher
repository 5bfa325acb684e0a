// Valid memories of a scope whose message time is in [$start, $end) (a null bound is open), latest first.
// Times are ISO-8601 UTC strings of one format, so they compare as text.
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
  AND ($start IS NULL OR m.valid_at >= $start) AND ($end IS NULL OR m.valid_at < $end)
RETURN m.id AS id, m.valid_at AS valid_at
ORDER BY m.valid_at DESC
LIMIT $limit
