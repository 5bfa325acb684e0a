"""A fast entity linker for `infer=False`: capitalised names, the speaker, first and second person.

spaCy's NER costs about as much per text as the embedding does; this reads names from
capitalisation alone (~100x faster), which is what linking verbatim messages needs: the
speaker, the people and places they name, and "I"/"you" resolved to who is speaking.
A single capitalised word that opens a sentence is a name unless it is a common opener.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from graphmem.ingest.chinese import name_type
from graphmem.ingest.chinese import words as chinese_words
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.languages import has_han
from graphmem.ingest.offline_rules import split_speaker
from graphmem.models import ExtractedEntity, Message
from graphmem.pacing import paced

# A run of capitalised words, optionally joined by "of"/"de"/"van"/"&" ("Bank of America").
# Upper-case letters of the Latin, Greek and Cyrillic scripts ("Zoë", "Ødegaard", "Москва").
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſΆ-ΫЀ-Я"
_NAME = re.compile(rf"\b[{_UPPER}][\w'’-]*(?:\s+(?:(?:of|de|da|van|von|del|la|&)\s+)?[{_UPPER}][\w'’-]*)*")
_ON_LOOP_CHARS = 4_000  # more than this is linked off the event loop
_SENTENCE_ENDS = ".!?…"
_QUOTE_OPENS = "\"“("
_FIRST_PERSON = re.compile(r"\b(I|me|my|mine|myself)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
# Capitalised words that are not names when they stand alone (sentence starts, interjections, days
# and months are left to the text: they would link every message told on a Monday).
_COMMON = frozenset("""
a an the i i'm i've i'd i'll im ive my me we we're we've our us you you're you've your he she it it's its they
they're their them this that these those there here what when where why how who which whose yes no not oh ok
okay wow hey hi hello thanks thank sure well so and but or if then also just really maybe great good nice
awesome cool love like lol haha omg yeah yep nope sorry please congrats congratulations absolutely definitely
totally anyway btw do does did is are was were be been have has had can could would should will shall may
might must let lets let's all any some every each both one two many much more most other another such same
as at by for from in into of on to with about after before during since until over under again once still
even only very too monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december today tomorrow yesterday tonight mr mrs ms dr
""".split())
# Interjections spelt as long as they are felt ("Ha", "Hahaha", "Awww", "Woohoo", "Ooh", "Hmm"): capitalised at a
# message's start, each read as a name had become an entity that linked every message that laughed.
_INTERJECTION = re.compile(
    r"a?(?:h+a+)+h*|(?:h+e+)+h*|a+w+|a+h+|o+h+|o+o+f+|u+g+h+|y+a+y+|w+h?o+a+h?|(?:w+o+)+h+o+(?:h+o+)*|h+m+|m+m+"
    r"|y+i+k+e+s+|p+h+e+w+|w+h+e+w+|m+e+h+|o+o*p+s+|e+e+k+|e+r+m*|y+u+m+|w+o+o+t+",
    re.IGNORECASE)


# Frequent sentence openers in chat that are not names (beyond _COMMON).
_OPENERS = frozenset("""
went got made saw took had feel felt think thought hope glad happy sad nice sounds looks seems guess know
knew see saw tell told thank thx congrats haha lol lmao hmm um uh ah aw awesome amazing beautiful cute funny
true right exactly agreed sure yup yes yeah nah definitely absolutely totally honestly actually basically
also plus anyway anyways speaking talking love loved hate enjoy enjoyed wish wanted want need needed check
look listen wait remember imagine take make keep try tried went gonna wanna gotta cheers bye goodbye night
morning afternoon evening welcome ok sounds wonderful fantastic lovely perfect cool sweet
""".split())


def _filler(word: str) -> bool:
    """A common word or an interjection: never a name by itself."""
    bare = word.lower().strip(".'’")
    return bare in _COMMON or _INTERJECTION.fullmatch(bare) is not None


def _is_name(span: str, start: int, text: str) -> bool:
    """Not only common words; one word opening a sentence also not a verb or adverb form
    ("Went", "Thinking", "Really"), which capitalisation alone cannot tell from a name."""
    words = span.split()
    if all(_filler(w) for w in words):
        return False
    if len(words) > 1 or not _opens_sentence(text, start):
        return True
    word = words[0].lower()
    return word not in _OPENERS and not word.endswith(("ing", "ed", "ly", "n't"))


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence: the text's start (spaces aside), or after [.!?…] and a
    space, or after an opening quote or parenthesis. Reads back over the spaces before the word only (the
    spaces before each name are read once), so linking stays linear in the text: matching a pattern against
    the whole text before each name made 100k characters take ~25 s."""
    if start == 0:
        return True
    before = start
    while before > 0 and text[before - 1].isspace():
        before -= 1
    if before == 0:  # only spaces before it: the message's first word
        return True
    mark = text[before - 1]
    return (mark in _SENTENCE_ENDS and before < start) or mark in _QUOTE_OPENS


def _names(text: str) -> list[str]:
    found: list[str] = []
    for match in _NAME.finditer(text):
        span = match.group(0).rstrip(".'’-")
        words = span.split()
        while words and _filler(words[0]):  # "The Louvre" -> "Louvre", "Haha Ben" -> "Ben"
            words.pop(0)
        name = " ".join(words)
        if name and _is_name(name, match.start(), text):
            found.append(name.removesuffix("'s").removesuffix("’s"))
    return found


def foreign_names(text: str) -> list[str]:
    """Capitalised names in a text of any language (a name opening a sentence is kept: the English
    openers list says nothing of other languages), Chinese proper nouns where it has Han characters."""
    if has_han(text):
        return [w.text for w in chinese_words(text) if name_type(w) is not None]
    names = [m.group(0).rstrip(".'’-") for m in _NAME.finditer(text)]
    return [n for n in names if len(n) > 2 and not _filler(n)]  # not "Я", "Je", "El", nor "Haha" in any language


def link_message(message: Message, context: ExtractionContext) -> list[ExtractedEntity]:
    """The entities one message names, first seen first, case-insensitively unique."""
    prefixed, text = split_speaker(message.content)
    if has_han(text):
        return _link_chinese(message, prefixed, text, context)
    speaker = message.name or prefixed
    if message.role == "assistant":
        first, second = speaker or context.agent_name, context.self_name
    else:
        first, second = speaker or context.self_name, None if speaker else context.agent_name
    people = [speaker, first if _FIRST_PERSON.search(text) else None,
              second if _SECOND_PERSON.search(text) else None]
    entities: dict[str, ExtractedEntity] = {}
    for name in people:
        if name:
            entities.setdefault(name.casefold(), ExtractedEntity(name=name, type="person"))
    for name in _names(text):
        entities.setdefault(name.casefold(), ExtractedEntity(name=name))
    return list(entities.values())


def _link_chinese(message: Message, speaker: str | None, text: str,
                  context: ExtractionContext) -> list[ExtractedEntity]:
    """Chinese: the speaker, 我 and 你 resolved as in English, and jieba's proper nouns and Latin names."""
    speaker = message.name or speaker
    first = speaker or (context.agent_name if message.role == "assistant" else context.self_name)
    second = context.self_name if message.role == "assistant" else (None if speaker else context.agent_name)
    found = chinese_words(text)
    keys = {w.key for w in found}
    people = [speaker, first if keys & {"我", "我们"} else None, second if keys & {"你", "您"} else None]
    entities: dict[str, ExtractedEntity] = {}
    for name in people:
        if name:
            entities.setdefault(name.casefold(), ExtractedEntity(name=name, type="person"))
    for word in paced(found):
        kind = name_type(word)
        if kind is not None:
            entities.setdefault(word.text.casefold(), ExtractedEntity(name=word.text, type=kind))
    return list(entities.values())


class FastLinker:
    """`mentions` without NLP models; `extract` is not offered (it needs the full extractor)."""

    async def mentions(self, messages: Sequence[Message], context: ExtractionContext) -> list[list[ExtractedEntity]]:
        # Short work stays on the event loop (a thread hop costs more); long work leaves it, so that one big
        # message (Chinese is tagged by jieba, ~1 s per 10k characters) does not stall other users.
        if len(messages) < 64 and sum(len(m.content) for m in messages) < _ON_LOOP_CHARS:
            return [link_message(m, context) for m in messages]
        return await asyncio.to_thread(lambda: [link_message(m, context) for m in messages])
