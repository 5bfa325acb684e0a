MATCH (m:Memory {id: $id}) SET m.invalid_at = $invalid_at, m.updated_at = $invalid_at
