// Which of these hashes the exact scope already holds, valid (dedup of re-added messages; a fact
// said again after it was superseded is new again).
MATCH (m:Memory)
WHERE m.sk = $sk AND m.hash IN $hashes AND m.invalid_at IS NULL
RETURN m.hash AS hash, m.id AS id
