// Memories of a scope that were valid at $as_of and have been superseded since (search's as_of), with their
// sentences' vectors (Memory.parts, flat: see graphmem/ingest/parts.py) and context's (ingest/context.py),
// scored as a current memory is.
// Times are ISO-8601 UTC strings, so they compare as text; the caller checks them again exactly.
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id)
  AND m.invalid_at IS NOT NULL AND m.invalid_at > $as_of AND m.created_at <= $as_of
RETURN m.id AS id, m.embedding AS embedding, m.parts AS parts, m.context_embedding AS context_embedding
