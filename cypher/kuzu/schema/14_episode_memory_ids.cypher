// Lookup columns (see cypher/README.md), added to stores made before them.
ALTER TABLE Episode ADD IF NOT EXISTS memory_ids STRING[]
