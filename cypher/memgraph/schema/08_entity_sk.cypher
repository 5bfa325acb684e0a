CREATE INDEX ON :Entity(sk)
