// Keyword search without an index, for the Bolt engines without a usable one (ArcadeDB creates no full-text
// index over Bolt; Memgraph's text search syntax varies by version; Neo4j replaces this with its Lucene index):
// the scope's valid memories that contain the query's words, each word weighted by its rarity in the scope
// (IDF). Words are lower-cased, stop words dropped, and cut to a crude stem (four letters, or all but the
// last three of a long word), so "working" finds "works"; $k is not needed by a scan.
WITH [w IN split(toLower($query), ' ') WHERE size(w) > 2 AND NOT w IN
      ['and', 'are', 'but', 'for', 'into', 'not', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they',
       'this', 'was', 'will', 'with', 'you', 'your', 'what', 'who', 'how', 'when', 'where', 'which', 'does', 'did',
       'has', 'have', 'had', 'his', 'her', 'its', 'our', 'from', 'about', 'any', 'all', 'can']] AS words
WITH [w IN words | CASE WHEN size(w) > 7 THEN substring(w, 0, size(w) - 3)
                       WHEN size(w) > 4 THEN substring(w, 0, 4) ELSE w END] AS stems
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
