// A memory's context embedding (ingest/context.py; Kuzu's only, null elsewhere): an update that keeps the text keeps it.
MATCH (m:Memory {id: $id}) RETURN m.context_embedding AS context_embedding
