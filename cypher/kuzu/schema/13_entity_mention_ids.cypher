// Lookup columns (see cypher/README.md), added to stores made before them.
ALTER TABLE Entity ADD IF NOT EXISTS mention_ids STRING[]
