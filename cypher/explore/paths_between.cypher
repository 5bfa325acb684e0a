// Paths between two entities of a user, up to three RELATES hops in either direction, shortest first.
// Parameters: $user_id, $from and $to (entity names, any case).
MATCH (a:Entity), (b:Entity)
WHERE a.user_id = $user_id AND b.user_id = $user_id
  AND toLower(a.name) = toLower($from) AND toLower(b.name) = toLower($to)
MATCH p = (a)-[:RELATES*1..3]-(b)
WHERE none(r IN relationships(p) WHERE r.invalid_at IS NOT NULL)
RETURN p, length(p) AS hops
ORDER BY hops
LIMIT 25
