// Supersede a memory: it stops holding at $invalid_at. $updated_at is when that was recorded, which the
// caller keeps from going back before the memory's own times (an import of older messages).
MATCH (m:Memory {id: $id}) SET m.invalid_at = $invalid_at, m.updated_at = $updated_at
