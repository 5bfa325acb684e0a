// Entities of the exact scope whose normalised name or an alias matches.
// ($names is bound to a variable first: Kuzu cannot read a parameter inside a list predicate.)
WITH $names AS names
MATCH (e:Entity)
WHERE e.sk = $sk AND (e.name_norm IN names OR any(a IN e.aliases WHERE a IN names))
RETURN e.id AS id, e.name AS name, e.name_norm AS name_norm, e.type AS type, e.aliases AS aliases,
       e.mentions AS mentions
