CREATE INDEX ON :Entity(user_id)
