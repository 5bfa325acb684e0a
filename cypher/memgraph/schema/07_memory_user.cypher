CREATE INDEX ON :Memory(user_id)
