// The embedding comes as text (see kuzu_writes.bind_vectors), read by the cast.
// One memory node with all its properties (update() replaces a node this way, under the same id).
// episode_ids and entity_ids repeat its DERIVED_FROM and MENTIONS edges as lookup lists: engines
// that join slowly (Kuzu) read a memory's neighbourhood from its own row.
CREATE (:Memory {id: $id, text: $text, hash: $hash, embedding: cast($embedding AS FLOAT[]),
                 parts: cast($parts AS FLOAT[]), context_embedding: cast($context_embedding AS FLOAT[]),
                 metadata: $metadata,
                 memory_type: $memory_type, user_id: $user_id, agent_id: $agent_id, run_id: $run_id,
                 actor_id: $actor_id, role: $role, sk: $sk, uk: $uk, ak: $ak, rk: $rk,
                 created_at: $created_at, updated_at: $updated_at, valid_at: $valid_at, invalid_at: $invalid_at,
                 episode_ids: $episode_ids, entity_ids: $entity_ids})
