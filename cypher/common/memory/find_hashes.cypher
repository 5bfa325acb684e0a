// Which of these hashes the exact scope already holds (dedup of re-added messages).
MATCH (m:Memory)
WHERE m.sk = $sk AND m.hash IN $hashes
RETURN m.hash AS hash, m.id AS id
