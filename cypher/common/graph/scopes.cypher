// The scopes (user_id, agent_id, run_id triples) that hold current memories: a store's namespaces.
MATCH (m:Memory)
WHERE m.invalid_at IS NULL
RETURN DISTINCT m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id
