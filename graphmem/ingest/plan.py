"""Turn one add's extraction into a write plan: statements for a single transaction.

Pure apart from the ids and timestamps it is given: the same inputs give the
same statements, so the plan can be tested without a database.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graphmem.backends.base import ONE_MEMORY, Statement
from graphmem.ingest.normalize import memory_hash, normalise_name
from graphmem.ingest.timeline import latest
from graphmem.models import ExtractedEntity, ExtractedRelation, Message
from graphmem.scope import Scope

# An entity lists the memories that mention it up to this many; past it, it is a hub that
# search leaves out anyway (graph.HUB_DEGREE is smaller).
MENTION_LIST_CAP = 64


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class NewMemory:
    """A memory the plan will create, with the names of the entities it mentions."""

    text: str
    embedding: list[float]
    entity_names: Sequence[str]
    role: str | None = None
    actor_id: str | None = None
    source: int | None = None  # position of the message it came from among the add's non-system messages
    id: str = field(default_factory=new_id)
    parts: Sequence[list[float]] = ()  # its sentences' embeddings (ingest/parts.py), if it has several
    context: list[float] | None = None  # its message's with the ones said before it (ingest/context.py)

    @property
    def hash(self) -> str:
        return memory_hash(self.text)


@dataclass
class EntityTable:
    """Entities of one add: resolved to stored ids, or new rows to create."""

    ids: dict[str, str] = field(default_factory=dict)  # normalised name -> entity id
    names: dict[str, str] = field(default_factory=dict)  # entity id -> display name
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    alias_rows: list[dict[str, Any]] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)  # stored entity id -> memories mentioning it

    def id_of(self, name: str) -> str | None:
        return self.ids.get(normalise_name(name))

    def ids_of(self, memory: NewMemory) -> list[str]:
        """The ids of the entities a memory names, once each, in order."""
        return [eid for eid in dict.fromkeys(self.id_of(n) for n in memory.entity_names) if eid]


@dataclass(frozen=True)
class Replacement:
    """A stored memory whose text is replaced under its id (an UPDATE, by `update()` or by an add)."""

    row: dict[str, Any]       # the stored row: scope ids, text, metadata, memory_type, created_at
    memory: NewMemory         # the new text, embedding and entity names; memory.id is row["id"]
    event_ids: Sequence[str]  # the memory's events so far: replacing the node drops their edges
    metadata: dict[str, Any] | None = None
    # Who said the new text: an add's message (role, speaker), recorded on the UPDATE event as an ADD event
    # records them. A manual `update()` leaves them None: an edit, not a saying, so it never decides which
    # of two contradicting facts was said later (ingest/history.last_said_again).
    said_by: tuple[str, str | None] | None = None


@dataclass
class AddPlan:
    statements: list[Statement] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    added_relations: list[dict[str, str]] = field(default_factory=list)


def scope_columns(scope: Scope) -> dict[str, Any]:
    return {**scope.params(), **scope.keys()}


def episode_rows(messages: Sequence[Message], scope: Scope, now: str, first_seq: int) -> list[dict[str, Any]]:
    sk = scope.key
    speaking = [m for m in messages if m.role != "system"]
    return [
        {"id": episode_id(sk, first_seq + i), "role": m.role, "name": m.name, "content": m.content,
         "occurred_at": now, "sk": sk, **scope.params(), "memories": []}
        for i, m in enumerate(speaking)
    ]


def thread_key(scope: Scope) -> str:
    """Id of the Episode row that counts a scope's episodes.

    It lives in the Episode table because Kuzu 0.11.3 later crashes deleting
    memories when an add's transaction also wrote a table it does not
    otherwise touch (GraphMeta, or a Thread table).
    """
    return f"{scope.key}-count"


def episode_id(scope_key: str, seq: int) -> str:
    """Episodes are numbered per exact scope, so a message's neighbours are primary-key lookups.

    (Kuzu 0.11.3 crashes deleting memories once episode-to-episode edges exist,
    so the conversation order lives in the ids rather than in NEXT edges.)
    """
    return f"{scope_key}-{seq}"


@dataclass(frozen=True)
class Thread:
    """A scope's episode counter, as `thread/get` reads it: how many episodes it has had, and the latest
    time an add to it was said (None: none yet, or a store from before the counter kept it)."""

    seq: int = 0
    said_until: str | None = None

    @classmethod
    def of(cls, rows: Sequence[dict[str, Any]]) -> Thread:
        return cls(int(rows[0]["value"]), rows[0].get("said_until")) if rows else cls()

    def said_after(self, now: str) -> str | None:
        """`said_until` once an add said at `now` is written. Unknown stays unknown: a store from before
        the counter kept it may hold adds said later than `now`."""
        if self.seq and not self.said_until:
            return None
        return latest(now, self.said_until)


def counter_statement(scope: Scope, before: int, after: int, said_until: str | None = None) -> Statement:
    counter = {"key": thread_key(scope), "value": str(after), "said_until": said_until}
    if before:
        return Statement("thread/advance", counter)
    return Statement("thread/start", {**counter, "sk": scope.key, **scope.params()})


def neighbour_episode_ids(episode: str, offsets: Sequence[int]) -> list[str]:
    scope_key, _, seq = episode.rpartition("-")
    if not scope_key or not seq.isdigit():
        return []
    return [episode_id(scope_key, int(seq) + d) for d in offsets if int(seq) + d >= 0]


def stored_metadata(metadata: dict[str, Any] | None) -> str:
    """Metadata as a memory holds it: JSON text with sorted keys (what `memory/list_containing` scans)."""
    return json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)


def memory_create_params(memory: NewMemory, scope: Scope, metadata: dict[str, Any] | None,
                         memory_type: str | None, created_at: str, updated_at: str | None,
                         episode_ids: Sequence[str] = (), entity_ids: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "id": memory.id, "text": memory.text, "hash": memory.hash, "embedding": memory.embedding,
        "parts": [x for part in memory.parts for x in part] or None,  # one flat list: k x dims floats
        "context_embedding": memory.context,
        "metadata": stored_metadata(metadata),
        "memory_type": memory_type, "actor_id": memory.actor_id, "role": memory.role,
        "created_at": created_at, "updated_at": updated_at, "valid_at": created_at, "invalid_at": None,
        "episode_ids": list(episode_ids), "entity_ids": list(entity_ids),
        **scope_columns(scope),
    }


def count_mentions(entities: EntityTable, mentions: Sequence[dict[str, str]]) -> Statement:
    """Fill the new entities' mention counts and lists; a statement adds to the stored ones'."""
    by_entity: dict[str, list[str]] = {}
    for mention in mentions:
        by_entity.setdefault(mention["entity_id"], []).append(mention["memory_id"])
    for row in entities.new_rows:
        memory_ids = by_entity.pop(row["id"], [])
        row["mentions"], row["mention_ids"] = len(memory_ids), memory_ids[:MENTION_LIST_CAP]
    # A stored hub stays a hub: its count no longer matters, so it is not rewritten on every add.
    rows = [{"id": entity_id, "memory_ids": memory_ids} for entity_id, memory_ids in by_entity.items()
            if entities.mentions.get(entity_id, 0) < MENTION_LIST_CAP]
    return Statement("entity/add_mentions", {"rows": rows, "cap": MENTION_LIST_CAP})


def event_row(memory_id: str, event: str, old: str | None, new: str | None, now: str, seq: int,
              role: str | None = None, actor: str | None = None) -> dict[str, Any]:
    return {"id": new_id(), "memory_id": memory_id, "event": event, "old_text": old, "new_text": new,
            "actor": actor, "role": role, "created_at": now, "seq": seq}


def replace_statements(replacement: Replacement, now: str, episode_ids: Sequence[str],
                       entity_ids: Sequence[str]) -> list[Statement]:
    """Replace a memory's node under the same id, its edges re-made and an UPDATE event recorded.

    (Replaced, not SET: Kuzu cannot SET an embedding under an HNSW index, which stores made before
    vector search moved into RAM still have.) The entities it mentions must exist, or be created
    earlier in the same plan.

    The memory keeps `created_at` and `valid_at` (it has held since it was first said; the new text refines
    it). An add with an older `timestamp` (an import) must not date the change before the memory itself:
    `updated_at` and the event's time are the latest of `now`, its creation and its last update.
    """
    row, memory = replacement.row, replacement.memory
    scope = Scope.of_row(row)
    changed_at = latest(now, row["created_at"], row.get("updated_at"))
    params = memory_create_params(memory, scope, replacement.metadata, row.get("memory_type"), row["created_at"],
                                  changed_at, episode_ids, entity_ids)
    role, actor = replacement.said_by or (None, None)
    event = event_row(row["id"], "UPDATE", row["text"], memory.text, changed_at, len(replacement.event_ids),
                      role, actor)
    return [
        Statement("memory/delete", {"id": row["id"]}),
        Statement("memory/create", params),
        Statement("memory/link_entities", {"rows": [{"memory_id": row["id"], "entity_id": e} for e in entity_ids]}),
        Statement("memory/link_episode", {"rows": [{"memory_id": row["id"], "episode_id": e} for e in episode_ids]}),
        Statement("event/create", {"rows": [event]}),
        Statement("event/link", {"rows": [{"id": e, "memory_id": row["id"]}
                                          for e in [*replacement.event_ids, event["id"]]]}),
    ]


def metadata_statements(row: dict[str, Any], metadata: dict[str, Any], now: str, seq: int) -> list[Statement]:
    """A memory's metadata set in place, and an UPDATE event whose old and new texts are its text: mem0 records an
    update that keeps the text so. Nothing is re-embedded, re-linked or re-derived; dated as replace_statements."""
    changed_at = latest(now, row["created_at"], row.get("updated_at"))
    event = event_row(row["id"], "UPDATE", row["text"], row["text"], changed_at, seq)
    return [
        Statement("memory/set_metadata", {"id": row["id"], "metadata": stored_metadata(metadata),
                                          "updated_at": changed_at}),
        Statement("event/create", {"rows": [event]}),
        Statement("event/link", {"rows": [{"id": event["id"], "memory_id": row["id"]}]}),
    ]


def entity_row(entity: ExtractedEntity, embedding: list[float] | None, scope: Scope, now: str) -> dict[str, Any]:
    aliases = sorted({normalise_name(a) for a in entity.aliases} - {normalise_name(entity.name)})
    return {"id": new_id(), "name": entity.name, "name_norm": normalise_name(entity.name), "type": entity.type,
            "summary": "", "aliases": aliases, "embedding": embedding, "created_at": now, "updated_at": now,
            **scope_columns(scope)}


def relation_rows(relations: Sequence[ExtractedRelation], entities: EntityTable, existing: set[tuple[str, str, str]],
                  memory_of_fact: dict[str, str], episode_id: str | None, now: str) -> list[dict[str, Any]]:
    """New RELATES rows; a relation already stored (same ends and type, still valid) is not repeated."""
    rows: list[dict[str, Any]] = []
    seen = set(existing)
    for rel in relations:
        source, target = entities.id_of(rel.source), entities.id_of(rel.target)
        if source is None or target is None or source == target:
            continue
        key = (source, rel.relation, target)
        if key in seen:
            continue
        seen.add(key)
        rows.append({"id": new_id(), "source_id": source, "target_id": target, "type": rel.relation,
                     "fact": rel.fact, "valid_at": rel.valid_at or now, "invalid_at": None, "created_at": now,
                     "memory_id": memory_of_fact.get(rel.fact), "episode_id": episode_id})
    return rows


def _sources(memory: NewMemory, episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The add's episodes a memory came from: its message, or all of them when it is not known."""
    return episodes if memory.source is None else episodes[memory.source:memory.source + 1]


def _replacements(replacements: Sequence[Replacement], entities: EntityTable, episodes: list[dict[str, Any]],
                  now: str) -> tuple[list[Statement], list[dict[str, str]]]:
    """The statements that replace updated memories (a replaced memory re-links its own edges, to its
    episodes and this add's, after its node is re-made) and their entity mentions (to count)."""
    statements: list[Statement] = []
    mentions: list[dict[str, str]] = []
    for item in replacements:
        entity_ids = entities.ids_of(item.memory)
        new_episodes = [ep["id"] for ep in _sources(item.memory, episodes)]
        statements += replace_statements(item, now, [*(item.row.get("episode_ids") or []), *new_episodes],
                                         entity_ids)
        mentions += [{"memory_id": item.memory.id, "entity_id": eid} for eid in entity_ids]
    return statements, mentions


def episode_statements(episodes: list[dict[str, Any]]) -> list[Statement]:
    """episode/add for the episodes that have new memories, episode/create for the others.

    One message with one memory (an agent's usual add) goes as episode/add_one, flat: Kuzu 0.11 binds
    a list of nested maps slowly (~2.5-3.5 ms of a one-message add's ~10 ms write, measured; its
    episode/add now takes them as columns, which pays for larger adds, see cypher/README.md)."""
    adding = [episode for episode in episodes if episode["memories"]]
    if len(adding) == 1 and len(adding[0]["memories"]) == 1:
        [memory] = adding[0]["memories"]
        episode = {k: v for k, v in adding[0].items() if k != "memories"}
        first = Statement("episode/add_one", {**episode, **{ONE_MEMORY + k: v for k, v in memory.items()}})
    else:
        first = Statement("episode/add", {"rows": adding})
    return [first, Statement("episode/create", {"rows": [episode for episode in episodes if not episode["memories"]]})]


@dataclass
class _NewRows:
    """The rows that create an add's new memories: under their first episode (episode/add, which also makes
    their MENTIONS edges), or on their own when they come from no message of the add (memory/add)."""

    orphans: list[dict[str, Any]] = field(default_factory=list)
    orphan_mentions: list[dict[str, str]] = field(default_factory=list)
    mentions: list[dict[str, str]] = field(default_factory=list)   # every MENTIONS edge, to count
    other_sources: list[dict[str, str]] = field(default_factory=list)  # those not made by episode/add


def _new_rows(memories: Sequence[NewMemory], entities: EntityTable, episodes: list[dict[str, Any]], scope: Scope,
              now: str, metadata: dict[str, Any] | None, memory_type: str | None) -> _NewRows:
    new = _NewRows()
    by_episode = {episode["id"]: episode for episode in episodes}
    for seq, memory in enumerate(memories):
        entity_ids = entities.ids_of(memory)
        sources = [ep["id"] for ep in _sources(memory, episodes)]
        row = {**memory_create_params(memory, scope, metadata, memory_type, now, None, sources, entity_ids),
               "event_id": new_id(), "event": "ADD", "old_text": None, "event_seq": seq}
        links = [{"memory_id": memory.id, "entity_id": eid} for eid in entity_ids]
        derived = [{"memory_id": memory.id, "episode_id": ep} for ep in sources]
        if sources:
            by_episode[sources[0]]["memories"].append(row)
            new.other_sources += derived[1:]
        else:
            new.orphans.append(row)
            new.orphan_mentions += links
        new.mentions += links
    return new


def build_add_plan(scope: Scope, now: str, messages: Sequence[Message], memories: Sequence[NewMemory],
                   entities: EntityTable, relations: Sequence[dict[str, Any]],
                   metadata: dict[str, Any] | None, memory_type: str | None, first_seq: int = 0,
                   replacements: Sequence[Replacement] = (), extra: Sequence[Statement] = (),
                   said_until: str | None = None) -> AddPlan:
    """Every statement of one add, in dependency order (nodes before the edges between them).

    `replacements` are stored memories the add updates (after the entities and episodes they link
    to are created); `extra` statements (supersessions) run after them. `said_until` is kept on the
    episode counter: the latest time an add to the scope was said, this one's included (`Thread.said_after`).

    The episode counter is written last (Kuzu 0.11.3 lost rows written after a
    MERGE earlier in the same transaction).
    """
    plan = AddPlan()
    episodes = episode_rows(messages, scope, now, first_seq)
    new = _new_rows(memories, entities, episodes, scope, now, metadata, memory_type)
    plan.results = [{"id": memory.id, "memory": memory.text, "event": "ADD"} for memory in memories]
    replaced, replaced_mentions = _replacements(replacements, entities, episodes, now)
    plan.statements += [
        # An updated memory's old text counts no more for the entities it mentioned; the new one's are
        # counted next (as update() does: each entity both texts name had been counted twice).
        *(Statement("entity/drop_mentions", {"id": item.row["id"], "cap": MENTION_LIST_CAP})
          for item in replacements),
        Statement("entity/create", {"rows": entities.new_rows}),
        Statement("entity/set_aliases", {"rows": entities.alias_rows}),
        count_mentions(entities, new.mentions + replaced_mentions),
        *episode_statements(episodes),
        Statement("memory/add", {"rows": new.orphans}),
        Statement("memory/link_episode", {"rows": new.other_sources}),
        Statement("memory/link_entities", {"rows": new.orphan_mentions}),
        Statement("relation/create", {"rows": list(relations)}),
        *replaced,
        *extra,
        # the entities only an updated memory's old text named (as update() leaves none)
        *(Statement("entity/delete_orphans", {"sk": key})
          for key in dict.fromkeys(Scope.of_row(r.row).key for r in replacements)),
        counter_statement(scope, first_seq, first_seq + len(episodes), said_until),
    ]
    plan.added_relations = [
        {"source": entities.names[r["source_id"]], "relationship": r["type"], "target": entities.names[r["target_id"]]}
        for r in relations
    ]
    return plan
