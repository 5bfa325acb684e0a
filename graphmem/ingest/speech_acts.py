"""What a sentence does, beyond stating something: a request, or an assistant's reply.

mem0 remembers facts about the user: "Suggest some online courses." asks for something and says
nothing about them, and an assistant's "Got it! I'll remember your food preferences." or "You could
try yoga." is its answer, not a fact (spaCy's parse decides for English; chinese.classify for Chinese).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span

# Verbs that, opening a sentence in the base form, ask the listener to do something.
_ASKING_VERBS = frozenset("""
suggest recommend tell give show find help list explain recall remind search look book order write make plan
send play call check create draft translate summarize summarise describe compare teach
""".split())
_POLITE_ASK = re.compile(r"^(please|can you|could you|would you|will you|can u|pls|plz)\b", re.IGNORECASE)
_REPLY = re.compile(
    r"^(got it|sure|okay|ok|of course|noted|will do|absolutely|certainly|understood|no problem|great|sounds good|"
    r"i('ll| will) (remember|keep|make sure|note)|i('ve| have) (noted|saved|remembered)|"
    r"you (could|should|might|can|may want)|why don't you|how about|what about|maybe you|perhaps you|"
    r"i (suggest|recommend|would suggest|'d suggest)|try |consider |here (are|is) |let me )",
    re.IGNORECASE)


# "Call me Bobby", "I go by Bob": the speaker says their name (a fact, though "Call me" is imperative).
_NAMING = re.compile(r"^(?i:(?:please |just |you can |)call me|i go by|(?:everyone|people|my friends) calls? me)"
                     r" ([A-Z][\w'-]*(?: [A-Z][\w'-]*)?)")


def naming(text: str) -> str | None:
    """The name a speaker gives themself in "Call me Bobby." / "I go by Bob.", if the sentence is one."""
    match = _NAMING.match(text.strip())
    return match.group(1) if match else None


def is_request(sent: Span) -> bool:
    """An imperative or a polite question asking for something ("Suggest...", "Can you find...")."""
    text = sent.text.strip()
    if naming(text):
        return False
    if _POLITE_ASK.match(text):
        return True
    first = next((t for t in sent if t.is_alpha), None)
    if first is None or first.tag_ != "VB" or first.lower_ in ("remember", "note"):  # "Remember that I..." tells
        return False
    return first.lemma_.lower() in _ASKING_VERBS or not any(t.dep_ in ("nsubj", "nsubjpass") for t in sent)


def is_reply(sent: Span) -> bool:
    """An assistant's acknowledgement, offer or suggestion, or its question."""
    text = sent.text.strip()
    return text.endswith("?") or _REPLY.match(text) is not None
