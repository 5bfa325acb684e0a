// The valid relations drawn from these memories, with when each began (a superseding fact ends only
// those that began before it).
MATCH (:Entity)-[r:RELATES]->(:Entity)
WHERE r.memory_id IN $ids AND r.invalid_at IS NULL
RETURN r.id AS id, r.valid_at AS valid_at
