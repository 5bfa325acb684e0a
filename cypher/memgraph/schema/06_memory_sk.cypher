CREATE INDEX ON :Memory(sk)
