MERGE (g:GraphMeta {key: $key}) SET g.value = $value
