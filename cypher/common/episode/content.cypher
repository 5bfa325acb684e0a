// One message by id: who said it, what, and when (ingest/context.py reads the messages said just before an add's).
MATCH (ep:Episode {id: $id})
RETURN ep.id AS id, ep.role AS role, ep.name AS name, ep.content AS content, ep.occurred_at AS occurred_at
