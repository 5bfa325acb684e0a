// The embedding comes as text (see kuzu_writes.bind_vectors), read by the cast.
// episode/add for one message with one new memory (an agent's usual add), flat: the episode's parameters,
// then its memory's prefixed with mem_ (ingest/plan.episode_statements). Kuzu 0.11 binds the nested rows
// of episode/add slowly; flat parameters save ~2.5-3.5 ms of a one-message add there.
CREATE (ep:Episode {id: $id, role: $role, name: $name, content: $content,
                    occurred_at: $occurred_at, user_id: $user_id, agent_id: $agent_id,
                    run_id: $run_id, sk: $sk})
CREATE (m:Memory {id: $mem_id, text: $mem_text, hash: $mem_hash, embedding: cast($mem_embedding AS FLOAT[]), parts: cast($mem_parts AS FLOAT[]),
                  context_embedding: cast($mem_context_embedding AS FLOAT[]),
                  metadata: $mem_metadata, memory_type: $mem_memory_type, user_id: $mem_user_id,
                  agent_id: $mem_agent_id, run_id: $mem_run_id, actor_id: $mem_actor_id, role: $mem_role,
                  sk: $mem_sk, uk: $mem_uk, ak: $mem_ak, rk: $mem_rk, created_at: $mem_created_at,
                  updated_at: $mem_updated_at, valid_at: $mem_valid_at, invalid_at: $mem_invalid_at,
                  episode_ids: $mem_episode_ids, entity_ids: $mem_entity_ids})
       -[:DERIVED_FROM]->(ep)
CREATE (m)-[:HAS_EVENT]->(:MemoryEvent {id: $mem_event_id, memory_id: $mem_id, event: $mem_event,
                                        old_text: $mem_old_text, new_text: $mem_text, actor: $mem_actor_id,
                                        role: $mem_role, created_at: $mem_created_at, seq: $mem_event_seq})
WITH m
UNWIND $mem_entity_ids AS entity_id
MATCH (e:Entity {id: entity_id})
CREATE (m)-[:MENTIONS]->(e)
