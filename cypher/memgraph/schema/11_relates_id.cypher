// Memgraph's DDL replaces the Neo4j-syntax files of cypher/bolt/schema/ name by name (it has no IF NOT EXISTS:
// a second open is told the index exists, which the backend accepts). An edge-type property index (Memgraph 2.18+).
CREATE EDGE INDEX ON :RELATES(id)
