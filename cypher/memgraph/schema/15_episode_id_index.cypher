CREATE INDEX ON :Episode(id)
