"""update, delete and delete_all: each a read-modify-write, atomic against the others and against add.

Each holds the store's write lock (backends/locks.py) from the reads it decides on to the write that
commits them: the memory's exact scope for update and delete (the scope add holds), the whole store for
delete_all (it spans sub-scopes). So, as probed before these locks: an update racing a delete can no longer
bring the deleted memory back (the update re-reads it under the lock and raises NotFoundError); an add
racing a delete_all can no longer leave memories without their episodes, nor a scope whose episode counter
was deleted under it; and an update to a text the scope already holds is mem0's NONE, not a second copy.
"""

from __future__ import annotations

import json
from typing import Any

from graphmem import mem0_forms as forms
from graphmem.backends.base import GraphBackend, Row, Statement
from graphmem.errors import NotFoundError
from graphmem.ingest import rederive
from graphmem.ingest.extract import ExtractionContext, Extractor
from graphmem.ingest.normalize import memory_hash
from graphmem.ingest.parts import embed_with_parts, kept_parts
from graphmem.ingest.plan import (
    MENTION_LIST_CAP,
    NewMemory,
    Replacement,
    count_mentions,
    event_row,
    metadata_statements,
    replace_statements,
)
from graphmem.ingest.resolve import add_new_entities, resolve_entities
from graphmem.models import Message
from graphmem.providers.embedders import Embedder
from graphmem.scope import Scope

UPDATED = {"message": "Memory updated successfully!"}
DELETED = {"message": "Memory deleted successfully!"}
DELETED_ALL = {"message": "Memories deleted successfully!"}


async def existing(backend: GraphBackend, memory_id: str) -> Row:
    rows = await backend.read("memory/get", {"id": memory_id})
    if not rows:
        raise NotFoundError(f"Memory with id {memory_id} not found")
    return rows[0]


async def update_memory(backend: GraphBackend, embedder: Embedder, extractor: Extractor, memory_id: str,
                        new_text: str | None, metadata: dict[str, Any] | None, expires: Any, now: str,
                        sentence_vectors: bool = True) -> dict[str, str]:
    """Replace a memory's text and/or merge metadata into its own (see AsyncMemory.update). An update that keeps
    the text (none given, or the same one) writes the metadata alone: the memory keeps its embeddings (its context
    vector too, ingest/context.py), its entities and its relations, and nothing is embedded."""
    scope = Scope.of_row(await existing(backend, memory_id))
    async with backend.locks.scope(scope.key):
        row = await existing(backend, memory_id)  # a delete may have won the race meanwhile
        merged = forms.merged_metadata(json.loads(row.get("metadata") or "{}"), metadata, expires)
        if new_text is None or new_text == row["text"]:
            events = await backend.read("event/list", {"memory_id": row["id"]})
            await backend.write(metadata_statements(row, merged, now, len(events)))
            return UPDATED
        held = await _held_elsewhere(backend, scope, new_text, row["id"])
        if held is not None:  # the scope holds this text already: mem0's NONE, not a second copy
            return {"message": "Memory not updated: the scope already holds this text", "event": "NONE", "id": held}
        await backend.write(await _replacement_plan(backend, embedder, extractor, row, new_text, merged, now,
                                                    sentence_vectors))
    return UPDATED


async def _held_elsewhere(backend: GraphBackend, scope: Scope, text: str, memory_id: str) -> str | None:
    """The id of another valid memory of the exact scope with this text, if any."""
    rows = await backend.valid_hashes([memory_hash(text)], scope)
    return next((r["id"] for r in rows if r["id"] != memory_id), None)


async def _replacement_plan(backend: GraphBackend, embedder: Embedder, extractor: Extractor, row: Row,
                            new_text: str, metadata: dict[str, Any], now: str,
                            sentence_vectors: bool = True) -> list[Statement]:
    """The memory re-made under its id with the new text's entities and embedding (a new text is no longer what
    was said after the messages before it: it keeps no context vector); entities it no longer names and nothing
    else does are deleted. Its relations are re-derived (ingest/rederive)."""
    scope = Scope.of_row(row)
    context = ExtractionContext(self_name=scope.user_id, agent_name=scope.agent_id)
    message = Message(role=row.get("role") or "user", content=new_text, name=row.get("actor_id"))
    derived = await rederive.derive(backend, extractor, row["id"], message, context)
    mentioned = derived.entities
    entities, fresh = await resolve_entities(backend, scope, mentioned, now)
    embedded = await embed_with_parts(embedder, [new_text], [e.name for e in fresh], sentence_vectors)
    add_new_entities(entities, fresh, embedded.names, scope, now)
    memory = NewMemory(text=new_text, embedding=embedded.texts[0], entity_names=[e.name for e in mentioned],
                       role=row.get("role"), actor_id=row.get("actor_id"), id=row["id"],
                       parts=kept_parts(backend.dialect, embedded.parts[0]))
    episodes = await backend.read("memory/episodes_of", {"id": row["id"]})
    events = await backend.read("event/list", {"memory_id": row["id"]})
    entity_ids = sorted(set(entities.ids.values()))
    replacement = Replacement(row=row, memory=memory, event_ids=[e["id"] for e in events], metadata=metadata)
    mentions = [{"memory_id": row["id"], "entity_id": eid} for eid in entity_ids]
    return [
        # the old text's mentions go; the new text's are counted next
        Statement("entity/drop_mentions", {"id": row["id"], "cap": MENTION_LIST_CAP}),
        count_mentions(entities, mentions),  # fills the new entities' counts: before their creation
        Statement("entity/create", {"rows": entities.new_rows}),
        *replace_statements(replacement, now, [e["episode_id"] for e in episodes], entity_ids),
        *(await rederive.relation_statements(backend, row, derived, entities, now) if derived.held else []),
        Statement("entity/delete_orphans", {"sk": scope.key}),
    ]


async def delete_memory(backend: GraphBackend, memory_id: str, now: str) -> dict[str, str]:
    """Delete a memory and the relations drawn from it; its history stays readable."""
    scope = Scope.of_row(await existing(backend, memory_id))
    async with backend.locks.scope(scope.key):
        row = await existing(backend, memory_id)  # another delete may have won the race: NotFoundError
        events = await backend.read("event/list", {"memory_id": row["id"]})
        event = event_row(row["id"], "DELETE", row["text"], None, now, len(events))
        await backend.write([
            Statement("entity/drop_mentions", {"id": row["id"], "cap": MENTION_LIST_CAP}),
            Statement("relation/delete_of_memory", {"id": row["id"]}),
            Statement("memory/delete", {"id": row["id"]}),
            Statement("event/create", {"rows": [event]}),
            Statement("entity/delete_orphans", {"sk": scope.key}),
        ])
    return DELETED


async def delete_scope(backend: GraphBackend, scope: Scope, now: str) -> dict[str, str]:
    """Delete every memory, entity and episode of a scope and its sub-scopes, no add of theirs in between."""
    async with backend.locks.whole():
        rows = await backend.read("memory/ids_in_scope", scope.params())
        events = [event_row(r["id"], "DELETE", r["text"], None, now, 1_000_000) for r in rows]
        await backend.write([
            Statement("event/create", {"rows": events}),
            Statement("entity/delete_in_scope", scope.params()),
            Statement("episode/delete_in_scope", scope.params()),
            *(Statement("memory/delete", {"id": r["id"]}) for r in rows),
        ])
    return DELETED_ALL
