// How many valid memories a scope holds: whether its load saves its vectors beside the store (vector_files.py).
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN count(*) AS rows
