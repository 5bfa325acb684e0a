CALL CREATE_FTS_INDEX('Memory', 'memory_fts', ['text'], stemmer := 'porter')
