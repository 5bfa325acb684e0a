// Keyword search: the Lucene index (english analyzer: stemming, stop words), then the scope filter.
// The query is lower-cased so that words such as AND / OR / NOT are never Lucene operators.
CALL db.index.fulltext.queryNodes('memory_fts', toLower($query), {limit: $k}) YIELD node, score
WITH node AS m, score
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
RETURN m.id AS id, score
ORDER BY score DESC
LIMIT $limit
