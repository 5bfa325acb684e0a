"""Prompts of the LLM extractor: facts + entities + relations in one call, and procedural memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from graphmem.ingest.extract import ExtractionContext
from graphmem.models import Message

EXTRACTION_SYSTEM_PROMPT = """\
You turn a conversation into long-term memory for an AI assistant: atomic facts, the entities they \
mention, and the relations between those entities. Answer with JSON that follows the given schema.

Facts
- Record what is worth remembering later: personal details, preferences and dislikes, plans and \
intentions, relationships, health, work and education, possessions, places, dates and events, opinions, \
and anything the user asks to be remembered.
- Each fact is one short statement that can be understood without the conversation. Name people instead \
of using pronouns: "I", "me" and "my" in user messages mean the user named below.
- Keep the language of the conversation (do not translate) and keep names exactly as written.
- Turn relative dates ("yesterday", "next month") into absolute ones using today's date.
- Take facts from what the participants state; use the assistant's messages as context only, unless \
they state facts about the assistant itself or the user confirms them.
- Skip greetings, small talk, unanswered questions and general knowledge.
- Do not repeat a fact that an existing memory already states with the same meaning.
- When nothing is worth remembering, answer with empty lists.

Entities
- Every person, organization, place, object, product, event or concept that a fact is about, once each.
- name: the canonical name in its original form and language, as a person writes it ("Dr. Sarah Chen", \
"München", "iPhone 15"), never lower_snake_case. The user is named below.
- type: one lowercase word, e.g. person, organization, location, event, product, food, activity, concept.
- aliases: the other names the conversation uses for the same entity (nicknames, short forms, other \
spellings); empty if none.

Relations
- Directed links from a source entity to a target entity, both named as in the entities list, with a \
short lower_snake_case predicate in English (works_at, lives_in, likes, sister_of, moved_to).
- fact: the text of the fact that states the relation, exactly as in the facts list.
- valid_at: the ISO-8601 date (or date and time) from which the relation holds, when the conversation \
says when it started; else null.

Existing memories
- Memories already stored are listed with ids like m1. When a new fact changes one, give its id:
  - updates: the new fact refines, corrects or extends that memory about the same thing \
("likes pizza" → "likes pepperoni pizza");
  - contradicts: both cannot be true now ("lives in Paris" → "moved to Berlin").
- Otherwise leave both null. Use only the ids listed; never invent one."""

_CUSTOM = """

Instructions from the application (on what to record, they take precedence over the guidelines above):
"""

PROCEDURAL_SYSTEM_PROMPT = """\
You write the procedural memory of an AI agent: a summary of its execution history that lets it \
continue the task without ambiguity.

Write, in this order:
1. Task objective: the overall goal the agent works towards.
2. Progress status: what is done and what remains, with counts where known.
3. Numbered steps, oldest first, each with:
   - Agent action: what the agent did, with its parameters, targets and methods.
   - Action result: the exact, unaltered output of the action (data, responses, error messages). Copy \
it verbatim; never paraphrase a result.
   - Key findings, errors met and the state reached, when there are any.

Output only the summary: no preamble and no closing remarks."""

PROCEDURAL_REQUEST = "Create procedural memory of the above conversation."  # mem0's words


def extraction_system(instructions: str | None) -> str:
    """The system prompt; custom instructions (custom_fact_extraction_prompt, add's prompt=) are appended."""
    if instructions and instructions.strip():
        return EXTRACTION_SYSTEM_PROMPT + _CUSTOM + instructions.strip()
    return EXTRACTION_SYSTEM_PROMPT


def transcript(messages: Sequence[Message]) -> str:
    """The conversation, one "role (name): content" block per message; system messages are left out."""
    return "\n".join(f"{m.role} ({m.name}): {m.content}" if m.name else f"{m.role}: {m.content}"
                     for m in messages if m.role != "system")


def extraction_user(messages: Sequence[Message], context: ExtractionContext, refs: Mapping[str, str],
                    today: date) -> str:
    """The user turn: the date, who "I" is, the existing memories by short id, then the conversation."""
    user = context.self_name or "not named: call them \"the user\""
    lines = [f"Today's date: {today.isoformat()}.", f"The user is: {user}"]
    if context.agent_name:
        lines.append(f"The assistant is: {context.agent_name}")
    if refs:
        lines.append("Existing memories:")
        lines.extend(f"[{ref}] {context.existing[memory_id]}" for ref, memory_id in refs.items())
    else:
        lines.append("Existing memories: none")
    lines += ["", "Conversation:", transcript(messages)]
    return "\n".join(lines)


def procedural_user(messages: Sequence[Message]) -> str:
    return f"{transcript(messages)}\n\n{PROCEDURAL_REQUEST}"


RECONCILE_SYSTEM_PROMPT = """\
You keep an AI assistant's long-term memory consistent. New facts were just learned; each is listed \
with stored memories that resemble it. For each new fact, in order, answer with JSON that follows the \
given schema:
- NONE: a stored memory already says the same thing (give its id);
- UPDATE: the fact refines, corrects or extends a stored memory about the same thing (give its id);
- DELETE: a stored memory cannot still be true if the fact is ("lives in Paris" → "moved to Berlin"; \
give its id);
- ADD: the fact is new information, even if related.
Use only the ids listed; never invent one."""


def reconcile_user(facts: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]) -> str:
    """Each new fact (id, text) with its look-alike stored memories (id, text)."""
    lines = []
    for fact_ref, text, memories in facts:
        lines.append(f"[{fact_ref}] {text}")
        lines.extend(f"    stored [{ref}] {memory}" for ref, memory in memories)
    return "New facts and the stored memories that resemble them:\n" + "\n".join(lines)
