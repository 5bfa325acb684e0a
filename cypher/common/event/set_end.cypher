// An ended memory ends earlier, superseded by an older fact imported later (ingest/history.py): its one
// DELETE event moves to the new end and names the fact that ends it there.
MATCH (ev:MemoryEvent {id: $id}) SET ev.new_text = $new_text, ev.created_at = $created_at
