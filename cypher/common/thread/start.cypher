CREATE (:Episode {id: $key, role: 'counter', content: $value, occurred_at: $said_until, sk: $sk, user_id: $user_id,
                  agent_id: $agent_id, run_id: $run_id})
