UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.aliases = row.aliases, e.updated_at = row.updated_at
