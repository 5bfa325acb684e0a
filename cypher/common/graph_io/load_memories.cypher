// Memories of an export, with all their properties, for the Cypher script `export(format="cypher")` writes
// (run by Neo4j's cypher-shell or Browser after the script's :param line; graphmem's own import runs
// memory/create per memory instead, which every dialect has).
UNWIND $rows AS row
CREATE (:Memory {id: row.id, text: row.text, hash: row.hash, embedding: row.embedding, metadata: row.metadata,
                 memory_type: row.memory_type, user_id: row.user_id, agent_id: row.agent_id, run_id: row.run_id,
                 actor_id: row.actor_id, role: row.role, sk: row.sk, uk: row.uk, ak: row.ak, rk: row.rk,
                 created_at: row.created_at, updated_at: row.updated_at, valid_at: row.valid_at,
                 invalid_at: row.invalid_at, episode_ids: row.episode_ids, entity_ids: row.entity_ids})
