CREATE INDEX ON :GraphMeta(key)
