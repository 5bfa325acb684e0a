// A memory's sentences' embeddings, k x dims floats in one list (ingest/parts.py), added to stores made before them.
ALTER TABLE Memory ADD IF NOT EXISTS parts FLOAT[]
