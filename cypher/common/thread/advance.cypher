MATCH (c:Episode {id: $key}) SET c.content = $value
