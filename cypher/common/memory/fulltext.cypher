// Keyword search without an index, for the Bolt engines without a usable one (ArcadeDB creates no full-text
// index over Bolt; Memgraph's text search syntax varies by version; Neo4j replaces this with its Lucene index):
// the scope's valid memories that contain the query's terms, each weighted by its rarity in the scope (IDF).
// $terms come from graphmem/search/scan_terms.py: lower-cased words without stop words cut to a crude stem
// ("working" finds "works"), Chinese as jieba's words in both scripts, kana and Hangul as character pairs;
// $query and $k are not needed by a scan.
WITH $terms AS stems
MATCH (m:Memory)
WHERE ($user_id IS NULL OR m.user_id = $user_id) AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND ($run_id IS NULL OR m.run_id = $run_id) AND m.invalid_at IS NULL
WITH stems, collect({id: m.id, body: toLower(m.text)}) AS docs
UNWIND stems AS stem
WITH docs, stem, size([d IN docs WHERE d.body CONTAINS stem]) AS df
WITH docs, collect({stem: stem, idf: log(1.0 + (size(docs) - df + 0.5) / (df + 0.5))}) AS terms
UNWIND docs AS d
WITH d, reduce(total = 0.0, t IN terms | total + CASE WHEN d.body CONTAINS t.stem THEN t.idf ELSE 0.0 END) AS score
WHERE score > 0
RETURN d.id AS id, score
ORDER BY score DESC
LIMIT $limit
