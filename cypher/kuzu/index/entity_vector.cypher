CALL CREATE_VECTOR_INDEX('Entity', 'entity_emb', 'embedding', metric := 'cosine')
