MATCH (m:Memory {id: $id}) SET m.metadata = $metadata, m.updated_at = $updated_at
