// Which of these hashes the exact scope holds as history valid at $at: an import of older messages said
// again (ingest/adder._new_facts). Runs only for adds said in the past; the valid ones come from
// backend.valid_hashes. Times compare as text: stored times share one ISO-8601 UTC format. A fact said
// at $at and ended at once by a later one of the same message is held too: its span is empty, [$at, $at).
MATCH (m:Memory)
WHERE m.sk = $sk AND m.hash IN $hashes AND m.invalid_at IS NOT NULL AND m.valid_at <= $at
  AND (m.invalid_at > $at OR (m.valid_at = $at AND m.invalid_at = $at))
RETURN m.hash AS hash, m.id AS id
