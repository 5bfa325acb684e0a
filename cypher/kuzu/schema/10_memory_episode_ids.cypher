// Lookup columns (see cypher/README.md), added to stores made before them.
ALTER TABLE Memory ADD IF NOT EXISTS episode_ids STRING[]
