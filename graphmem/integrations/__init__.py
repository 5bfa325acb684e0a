"""Adapters for agent frameworks, each an optional extra imported only by who uses it:
`graphmem.integrations.langgraph` (GraphMemStore, `graphmem[langgraph]`) and
`graphmem.integrations.langchain` (GraphMemRetriever, `graphmem[langchain]`)."""
