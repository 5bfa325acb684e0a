CREATE INDEX ON :Memory(id)
