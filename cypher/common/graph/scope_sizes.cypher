// The scopes (user_id, agent_id, run_id triples) that hold current memories, each with how many it holds and
// the metadata texts of those that may have expired (mem0 keeps `expiration_date` among the metadata;
// explore.scope_sizes leaves the expired ones out, as get_all does): the server's users() counts in this one read.
MATCH (m:Memory)
WHERE m.invalid_at IS NULL
RETURN m.user_id AS user_id, m.agent_id AS agent_id, m.run_id AS run_id, count(m) AS memories,
       collect(CASE WHEN m.metadata CONTAINS $expiry_key THEN m.metadata ELSE NULL END) AS expiring
