"""In-process search indexes of an embedded store: a scope's vectors, keywords and lookup lists in RAM.

An embedded engine runs in this process, so a search that touches it pays a statement's fixed
cost (~0.3 ms on Kuzu 0.11) per step, and its full-text index costs ~15 ms a query at 10k memories.
A scope's rows are loaded once, on its first search, and kept in step with what this process
commits; the store stays the only source of truth (a scope that cannot be kept in step is dropped
and reloaded).
"""
