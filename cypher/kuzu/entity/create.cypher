// The embedding comes as text (see kuzu_writes.bind_vectors), read by the cast; NULL stays NULL.
// mentions counts the memories that mention the entity; mention_ids lists the first of them
// (enough to tell a hub, which search leaves out, from a specific entity).
UNWIND $rows AS row
CREATE (:Entity {id: row.id, name: row.name, name_norm: row.name_norm, type: row.type, summary: row.summary,
                 aliases: row.aliases, embedding: cast(row.embedding AS FLOAT[]),
                 user_id: row.user_id, agent_id: row.agent_id,
                 run_id: row.run_id, sk: row.sk, uk: row.uk, ak: row.ak, rk: row.rk,
                 created_at: row.created_at, updated_at: row.updated_at,
                 mentions: row.mentions, mention_ids: row.mention_ids})
