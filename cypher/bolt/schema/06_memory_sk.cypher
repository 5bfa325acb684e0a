CREATE INDEX memory_sk IF NOT EXISTS FOR (m:Memory) ON (m.sk)
