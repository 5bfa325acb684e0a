// New memories, each with its ADD event (see memory/create for the lookup lists). The embedding
// comes as text (see kuzu_writes.bind_vectors), read by the cast.
UNWIND $rows AS row
CREATE (:Memory {id: row.id, text: row.text, hash: row.hash, embedding: cast(row.embedding AS FLOAT[]),
                 parts: cast(row.parts AS FLOAT[]), context_embedding: cast(row.context_embedding AS FLOAT[]),
                 metadata: row.metadata,
                 memory_type: row.memory_type, user_id: row.user_id, agent_id: row.agent_id, run_id: row.run_id,
                 actor_id: row.actor_id, role: row.role, sk: row.sk, uk: row.uk, ak: row.ak, rk: row.rk,
                 created_at: row.created_at, updated_at: row.updated_at, valid_at: row.valid_at,
                 invalid_at: row.invalid_at, episode_ids: row.episode_ids, entity_ids: row.entity_ids})
       -[:HAS_EVENT]->
       (:MemoryEvent {id: row.event_id, memory_id: row.id, event: row.event, old_text: row.old_text,
                      new_text: row.text, actor: row.actor_id, role: row.role, created_at: row.created_at,
                      seq: row.event_seq})
