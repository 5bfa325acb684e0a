// How many episodes the scope has had: a counter row in the Episode table (no edges, role "counter").
MATCH (c:Episode {id: $key}) RETURN c.content AS value
