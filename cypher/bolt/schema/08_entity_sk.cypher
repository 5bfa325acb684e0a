CREATE INDEX entity_sk IF NOT EXISTS FOR (e:Entity) ON (e.sk)
