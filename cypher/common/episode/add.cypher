// An add's episodes (its messages), each with the new memories that came from it: the memory, its ADD
// event, its DERIVED_FROM edge to the episode and its MENTIONS edges, in one statement. Only the
// mentioned entities are looked up (created earlier in the add, or stored); the rest is created here.
UNWIND $rows AS row
CREATE (ep:Episode {id: row.id, role: row.role, name: row.name, content: row.content,
                    occurred_at: row.occurred_at, user_id: row.user_id, agent_id: row.agent_id,
                    run_id: row.run_id, sk: row.sk})
WITH ep, row
UNWIND row.memories AS mem
CREATE (m:Memory {id: mem.id, text: mem.text, hash: mem.hash, embedding: mem.embedding, metadata: mem.metadata,
                  memory_type: mem.memory_type, user_id: mem.user_id, agent_id: mem.agent_id, run_id: mem.run_id,
                  actor_id: mem.actor_id, role: mem.role, sk: mem.sk, uk: mem.uk, ak: mem.ak, rk: mem.rk,
                  created_at: mem.created_at, updated_at: mem.updated_at, valid_at: mem.valid_at,
                  invalid_at: mem.invalid_at, episode_ids: mem.episode_ids, entity_ids: mem.entity_ids})
       -[:DERIVED_FROM]->(ep)
CREATE (m)-[:HAS_EVENT]->(:MemoryEvent {id: mem.event_id, memory_id: mem.id, event: mem.event,
                                        old_text: mem.old_text, new_text: mem.text, actor: mem.actor_id,
                                        role: mem.role, created_at: mem.created_at, seq: mem.event_seq})
WITH m, mem
UNWIND mem.entity_ids AS entity_id
MATCH (e:Entity {id: entity_id})
CREATE (m)-[:MENTIONS]->(e)
