// @columns rows
// More new memories of one episode that episode/add created earlier in the same transaction: a message
// that becomes thousands of memories is written in runs of a few hundred (see KuzuBackend._runs_of), as
// Kuzu's Python binding converts a statement's parameters holding the GIL (~50 us a memory). The memory,
// its ADD event, its DERIVED_FROM edge and its MENTIONS edges, as in episode/add.
MATCH (ep:Episode {id: $episode_id})
UNWIND range(1, size($rows_id)) AS j
CREATE (m:Memory {id: $rows_id[j], text: $rows_text[j], hash: $rows_hash[j],
                  embedding: cast($rows_embedding[j] AS FLOAT[]),
                  parts: cast($rows_parts[j] AS FLOAT[]), metadata: $rows_metadata[j],
                  context_embedding: cast($rows_context_embedding[j] AS FLOAT[]),
                  memory_type: $rows_memory_type[j], user_id: $rows_user_id[j],
                  agent_id: $rows_agent_id[j], run_id: $rows_run_id[j],
                  actor_id: $rows_actor_id[j], role: $rows_role[j], sk: $rows_sk[j],
                  uk: $rows_uk[j], ak: $rows_ak[j], rk: $rows_rk[j],
                  created_at: $rows_created_at[j], updated_at: $rows_updated_at[j],
                  valid_at: $rows_valid_at[j], invalid_at: $rows_invalid_at[j],
                  episode_ids: $rows_episode_ids[j], entity_ids: $rows_entity_ids[j]})
       -[:DERIVED_FROM]->(ep)
CREATE (m)-[:HAS_EVENT]->(:MemoryEvent {id: $rows_event_id[j], memory_id: $rows_id[j],
                                        event: $rows_event[j], old_text: $rows_old_text[j],
                                        new_text: $rows_text[j], actor: $rows_actor_id[j],
                                        role: $rows_role[j], created_at: $rows_created_at[j],
                                        seq: $rows_event_seq[j]})
WITH m, j
UNWIND $rows_entity_ids[j] AS entity_id
MATCH (e:Entity {id: entity_id})
CREATE (m)-[:MENTIONS]->(e)
