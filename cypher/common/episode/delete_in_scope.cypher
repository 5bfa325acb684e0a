MATCH (ep:Episode)
WHERE ($user_id IS NULL OR ep.user_id = $user_id) AND ($agent_id IS NULL OR ep.agent_id = $agent_id) AND ($run_id IS NULL OR ep.run_id = $run_id)
DETACH DELETE ep
