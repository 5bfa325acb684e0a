UNWIND $rows AS row
CREATE (:MemoryEvent {id: row.id, memory_id: row.memory_id, event: row.event, old_text: row.old_text,
                      new_text: row.new_text, actor: row.actor, role: row.role,
                      created_at: row.created_at, seq: row.seq})
