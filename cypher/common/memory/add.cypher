// A new memory with its ADD event, in one statement (see memory/create for the lookup lists).
// (One row per statement: Kuzu 0.11.3's full-text index misses rows created through UNWIND.)
CREATE (:Memory {id: $id, text: $text, hash: $hash, embedding: $embedding, metadata: $metadata,
                 memory_type: $memory_type, user_id: $user_id, agent_id: $agent_id, run_id: $run_id,
                 actor_id: $actor_id, role: $role, sk: $sk, uk: $uk, ak: $ak, rk: $rk,
                 created_at: $created_at, updated_at: $updated_at, valid_at: $valid_at, invalid_at: $invalid_at,
                 episode_ids: $episode_ids, entity_ids: $entity_ids})
       -[:HAS_EVENT]->
       (:MemoryEvent {id: $event_id, memory_id: $id, event: $event, old_text: $old_text, new_text: $text,
                      actor: $actor_id, role: $role, created_at: $created_at, seq: $event_seq})
