UNWIND $rows AS row
CREATE (:Episode {id: row.id, role: row.role, name: row.name, content: row.content,
                  occurred_at: row.occurred_at, user_id: row.user_id, agent_id: row.agent_id,
                  run_id: row.run_id, sk: row.sk})
