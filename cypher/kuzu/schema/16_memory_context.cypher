// A memory's message embedded with the messages said just before it (graphmem/ingest/context.py), added to
// stores made before it. NULL: the memory stands for its own context.
ALTER TABLE Memory ADD IF NOT EXISTS context_embedding FLOAT[]
