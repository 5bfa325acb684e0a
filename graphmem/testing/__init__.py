"""Test doubles for users' own tests: `graphmem.testing.llm_server.LLMServer` speaks the OpenAI and
Anthropic HTTP APIs on 127.0.0.1, answering from a script, so the real SDK clients run without network."""
