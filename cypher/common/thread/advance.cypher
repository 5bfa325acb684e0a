MATCH (c:Episode {id: $key}) SET c.content = $value, c.occurred_at = $said_until
