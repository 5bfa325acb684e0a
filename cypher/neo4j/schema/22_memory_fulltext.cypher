// Lucene full-text index with the english analyzer (stemming, stop words), BM25-style scores.
CREATE FULLTEXT INDEX memory_fts IF NOT EXISTS FOR (m:Memory) ON EACH [m.text]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}
