MATCH (g:GraphMeta {key: $key}) RETURN g.value AS value
