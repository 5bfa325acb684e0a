CREATE INDEX entity_user_id IF NOT EXISTS FOR (e:Entity) ON (e.user_id)
