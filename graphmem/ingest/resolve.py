"""Entity resolution: match an add's entities to the scope's stored ones in one query.

A stored entity matches when its normalised name or one of its aliases equals
the new entity's normalised name or alias. Matches keep their stored id and
gain the new aliases; the rest become new entity rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphmem.backends.base import GraphBackend
from graphmem.ingest.normalize import normalise_name
from graphmem.ingest.plan import EntityTable, entity_row
from graphmem.models import ExtractedEntity
from graphmem.scope import Scope


def merge_duplicates(entities: Sequence[ExtractedEntity]) -> list[ExtractedEntity]:
    """One entity per normalised name (or alias) within an extraction, aliases pooled."""
    merged: list[ExtractedEntity] = []
    index: dict[str, int] = {}
    for entity in entities:
        keys = {normalise_name(entity.name), *(normalise_name(a) for a in entity.aliases)} - {""}
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            index.update(dict.fromkeys(keys, len(merged)))
            merged.append(entity)
            continue
        first = merged[hit]
        aliases = sorted({*first.aliases, *entity.aliases, entity.name} - {first.name})
        merged[hit] = first.model_copy(update={"aliases": aliases})
        index.update(dict.fromkeys(keys, hit))
    return merged


async def resolve_entities(backend: GraphBackend, scope: Scope, entities: Sequence[ExtractedEntity],
                           now: str) -> tuple[EntityTable, list[ExtractedEntity]]:
    """Map entities to stored ids; return the table and the entities still to create.

    The new ones are created by `add_new_entities` once their names are
    embedded, in the same batch as the add's facts.
    """
    table = EntityTable()
    unique = merge_duplicates(entities)
    if not unique:
        return table, []
    keys_of = {e.name: {normalise_name(e.name), *(normalise_name(a) for a in e.aliases)} - {""} for e in unique}
    all_keys = sorted(set().union(*keys_of.values()))
    stored = await backend.entities_by_names(all_keys, scope)
    by_key: dict[str, dict[str, Any]] = {}
    by_id = {stored_row["id"]: stored_row for stored_row in stored}
    for stored_row in stored:
        for key in (stored_row["name_norm"], *(stored_row["aliases"] or [])):
            by_key.setdefault(key, stored_row)
    fresh: list[ExtractedEntity] = []
    aliases_of: dict[str, set[str]] = {}  # stored entity id -> its aliases with this add's new ones
    for entity in unique:
        row: dict[str, Any] | None = next((by_key[k] for k in sorted(keys_of[entity.name]) if k in by_key), None)
        if row is None:
            fresh.append(entity)
            continue
        _register(table, keys_of[entity.name], row["id"], row["name"])
        table.mentions[row["id"]] = row.get("mentions") or 0
        known = aliases_of.setdefault(row["id"], set(row["aliases"] or []))
        known |= keys_of[entity.name] - {row["name_norm"]}
    # One row per entity: two of the add's entities may resolve to the same stored one, and each row
    # replaces the stored list.
    table.alias_rows = [{"id": entity_id, "aliases": sorted(aliases), "updated_at": now}
                        for entity_id, aliases in aliases_of.items()
                        if aliases != set(by_id[entity_id]["aliases"] or [])]
    return table, fresh


def add_new_entities(table: EntityTable, fresh: Sequence[ExtractedEntity], vectors: Sequence[list[float] | None],
                     scope: Scope, now: str) -> None:
    for entity, vector in zip(fresh, vectors, strict=True):
        new_row = entity_row(entity, vector, scope, now)
        table.new_rows.append(new_row)
        keys = {normalise_name(entity.name), *(normalise_name(a) for a in entity.aliases)} - {""}
        _register(table, keys, new_row["id"], entity.name)


def _register(table: EntityTable, keys: set[str], entity_id: str, name: str) -> None:
    for key in keys:
        table.ids.setdefault(key, entity_id)
    table.names[entity_id] = name
