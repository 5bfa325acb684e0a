CALL CREATE_VECTOR_INDEX('Memory', 'memory_emb', 'embedding', metric := 'cosine')
