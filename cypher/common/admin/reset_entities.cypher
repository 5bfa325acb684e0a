// reset(): graphmem's own label only; an application's tables in the same database stay.
MATCH (n:Entity) DETACH DELETE n
