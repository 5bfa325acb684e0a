// reset(): graphmem's own label only; an application's tables in the same database stay.
MATCH (n:GraphMeta) DETACH DELETE n
