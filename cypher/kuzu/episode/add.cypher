// @columns rows memories
// An add's episodes (its messages), each with the new memories that came from it: the memory, its ADD
// event, its DERIVED_FROM edge to the episode and its MENTIONS edges, in one statement. Only the
// mentioned entities are looked up (created earlier in the add, or stored); the rest is created here.
// Kuzu: creating the memories under their episode spares a lookup of each episode (an UNWIND joined to a
// node table scans it in Kuzu 0.11); the entities are one join per add (~1 ms per 10k entities).
// The rows come as columns, $rows_<key>[i] (see `@columns` in graphmem/backends/cypher.py): Kuzu binds
// them ~10x faster than nested maps. The embeddings come as text (kuzu_writes.bind_vectors), read by the cast.
UNWIND range(1, size($rows_id)) AS i
CREATE (ep:Episode {id: $rows_id[i], role: $rows_role[i], name: $rows_name[i], content: $rows_content[i],
                    occurred_at: $rows_occurred_at[i], user_id: $rows_user_id[i], agent_id: $rows_agent_id[i],
                    run_id: $rows_run_id[i], sk: $rows_sk[i]})
WITH ep, i
UNWIND range($rows_memories_first[i], $rows_memories_last[i]) AS j
CREATE (m:Memory {id: $rows_memories_id[j], text: $rows_memories_text[j], hash: $rows_memories_hash[j],
                  embedding: cast($rows_memories_embedding[j] AS FLOAT[]),
                  parts: cast($rows_memories_parts[j] AS FLOAT[]), metadata: $rows_memories_metadata[j],
                  context_embedding: cast($rows_memories_context_embedding[j] AS FLOAT[]),
                  memory_type: $rows_memories_memory_type[j], user_id: $rows_memories_user_id[j],
                  agent_id: $rows_memories_agent_id[j], run_id: $rows_memories_run_id[j],
                  actor_id: $rows_memories_actor_id[j], role: $rows_memories_role[j], sk: $rows_memories_sk[j],
                  uk: $rows_memories_uk[j], ak: $rows_memories_ak[j], rk: $rows_memories_rk[j],
                  created_at: $rows_memories_created_at[j], updated_at: $rows_memories_updated_at[j],
                  valid_at: $rows_memories_valid_at[j], invalid_at: $rows_memories_invalid_at[j],
                  episode_ids: $rows_memories_episode_ids[j], entity_ids: $rows_memories_entity_ids[j]})
       -[:DERIVED_FROM]->(ep)
CREATE (m)-[:HAS_EVENT]->(:MemoryEvent {id: $rows_memories_event_id[j], memory_id: $rows_memories_id[j],
                                        event: $rows_memories_event[j], old_text: $rows_memories_old_text[j],
                                        new_text: $rows_memories_text[j], actor: $rows_memories_actor_id[j],
                                        role: $rows_memories_role[j], created_at: $rows_memories_created_at[j],
                                        seq: $rows_memories_event_seq[j]})
WITH m, j
UNWIND $rows_memories_entity_ids[j] AS entity_id
MATCH (e:Entity {id: entity_id})
CREATE (m)-[:MENTIONS]->(e)
