// How many episodes the scope has had: a counter row in the Episode table (no edges, role "counter"),
// and the latest time an add to the scope was said (its occurred_at; null in a store from before it was kept).
MATCH (c:Episode {id: $key}) RETURN c.content AS value, c.occurred_at AS said_until
