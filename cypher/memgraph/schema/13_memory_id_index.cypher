// Memgraph's uniqueness constraints (01-05) do not index: these label-property indexes make id lookups fast.
CREATE INDEX ON :Memory(id)
