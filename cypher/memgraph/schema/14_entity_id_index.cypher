CREATE INDEX ON :Entity(id)
