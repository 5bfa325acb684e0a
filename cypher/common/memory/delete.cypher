MATCH (m:Memory {id: $id}) DETACH DELETE m
