"""A message's conversation context, embedded beside it: the message read after the two said just before.

In a conversation the turn that holds an answer often does not say what it is about: "Yes! It was so
much fun, the kids loved it" answers "Did you take the kids to the museum?". Alone it matches no
question; read after the turns before it, it does. So a message stored verbatim (`infer=False`) gets a
second vector, of "<the message before the one before>\n<the one before>\n<the message>", and a search
ranks a memory by its own similarity plus `search.context_vector_weight` times its context's
(inprocess/scopes.ScopeMemories.top_in_context). The memory's own similarity stays what its score is
calibrated on.

Measured (bench/RESULTS.md), dense ranking alone on LOCOMO dev: recall at 10 0.60 -> 0.71. The whole
search, with the next-turn lift lowered to `search.context_weight` 0.35 (from 0.5; at 0.5 the Chinese
companion chats' R@5 fell .857 -> .836): LOCOMO dev 1-4 R@10 0.801 -> 0.831, R@5 0.707 -> 0.728, multi-hop
.567 -> .577, every conversation up; companion chats, English R@5 .829 -> .896, R@10 .923 -> .944, Chinese
.857 / .918 -> .858 / .918. One message before gave less, and a context vector made by averaging the
messages' own vectors (no second embedding) about 40% of the gain.

What counts as before: the earlier messages of the same add, then the scope's latest stored messages (its
episodes) said before this one, however long before: the last conversation's end leads into the next one
("Good luck at the interview!" ... "It went great, I got the job!"). Until session 21 a message said more
than three hours after those had none. Measured with timestamps (add's `timestamp`, so that sessions days apart
are apart), 1-4 R@10 / R@5, three hours -> no limit: LOCOMO dev .832 / .763 -> .834 / .774, bench/chats .799 /
.668 -> .804 / .675, companion chats zh .969 / .879 -> .966 / .883 and en .956 / .904 -> .961 / .912; without
timestamps every message of a replayed conversation is said within seconds, and nothing changes. A message
said before the stored ones (an import out of order) gets no context from them.

Only a conversation has context: at least one of those messages must be another speaker's (another name, a "Name:
" prefix, or another role). Notes one speaker adds one after another ("My car is a blue Tesla", "I work as a
nurse") are independent statements: read with each other, the next note took the car's meaning and outranked it
for "Which vehicle do I drive?". A message without context stands for its own. Each earlier message lends its end,
at most CONTEXT_TOKENS; a message longer than MAX_TEXT_TOKENS (a document) gets no context: it says what it is
about by itself.

Cost: one more text of three messages to embed per message; one add per LOCOMO turn went from 9.5 to 3.7
turns/s with the default embedder. `"context_vectors": false` turns it off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphmem.ingest.languages import han_count
from graphmem.ingest.offline_rules import split_speaker
from graphmem.ingest.plan import Thread, episode_id
from graphmem.ingest.timeline import instant
from graphmem.scope import Scope

if TYPE_CHECKING:
    from graphmem.backends.base import GraphBackend
    from graphmem.models import Message

CONTEXT_MESSAGES = 2
# Both within what every local embedder reads (MiniLM stops at 256 tokens, e5 at 512), the message last:
CONTEXT_TOKENS = 100  # each earlier message lends its end, about 400 English or 100 Chinese characters
MAX_TEXT_TOKENS = 250  # a longer message (a document) says what it is about by itself


@dataclass(frozen=True)
class Said:
    """A message as context reads it: its role, the name it was said under (a message's `name`, else a
    "Name: " prefix of its text that is no label such as "Note:", see offline_rules.split_speaker), and what
    it says."""

    role: str
    label: str | None
    content: str

    @classmethod
    def of(cls, role: str | None, name: str | None, content: str) -> Said:
        label = name or split_speaker(content)[0]
        return cls(role or "user", label.casefold() if label else None, content)

    def by_another(self, other: Said) -> bool:
        """Whether `other` was said by someone else: another name when both have one ("Caroline: ..." after
        "Melanie: ..."), else another role."""
        if self.label and other.label:
            return self.label != other.label
        return self.role != other.role


def _tokens(text: str) -> float:
    """About how many tokens the embedder reads in `text`: a Han character each, four other characters each."""
    han = han_count(text)
    return han + (len(text) - han) / 4


def _tail(text: str, tokens: float) -> str:
    """The end of `text` within about `tokens` tokens (a turn's question is at its end)."""
    text = text.strip()
    while _tokens(text) > tokens:
        text = text[len(text) // 4 or 1:].lstrip() if len(text) > 8 else text[1:]
    return text


def context_text(before: Sequence[Said], said: Said) -> str | None:
    """The text a message's context vector embeds, or None when it has none: nothing said before it by
    another speaker, or it is a document."""
    lent = [b for b in before[-CONTEXT_MESSAGES:] if b.content.strip()]
    if _tokens(said.content) > MAX_TEXT_TOKENS or not any(said.by_another(b) for b in lent):
        return None
    return "\n".join([*(_tail(b.content, CONTEXT_TOKENS) for b in lent), said.content])


async def said_before(backend: GraphBackend, scope: Scope, thread: Thread, now: str) -> list[Said]:
    """The scope's last CONTEXT_MESSAGES stored messages, those said before `now` (or with it), oldest first."""
    seqs = [thread.seq - d for d in range(CONTEXT_MESSAGES, 0, -1) if thread.seq - d >= 0]
    if not seqs:
        return []
    ids = {episode_id(scope.key, seq): seq for seq in seqs}
    found = await backend.read_together([("episode/content", {"id": i}) for i in ids])
    rows = [row for rows in found for row in rows]
    said = instant(now)
    recent = [r for r in rows if r.get("content") and r.get("occurred_at")
              and instant(r["occurred_at"]) <= said]
    recent.sort(key=lambda r: ids[r["id"]])
    return [Said.of(r.get("role"), r.get("name"), str(r["content"])) for r in recent]


def contexts_of(texts: Sequence[str], items: Sequence[Message], stored: Sequence[Said]) -> list[str | None]:
    """Each verbatim memory's context text (`texts` are the memories, each a message of `items`): the
    messages before its own in this add, after the `stored` ones said before the add."""
    spoken = [Said.of(m.role, m.name, m.content) for m in items if m.role != "system"]
    position = {said.content: i for i, said in reversed(list(enumerate(spoken)))}
    found: list[str | None] = []
    for text in texts:
        at = position.get(text)
        found.append(context_text([*stored, *spoken[:at]], spoken[at]) if at is not None else None)
    return found
