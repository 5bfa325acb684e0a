"""Word lists and grammar rules of the offline (spaCy) extractor.

The first half is plain data and string functions (predicate spelling,
dates, speaker prefixes); the second half reads spaCy's parse tree: which
tokens are a clause's subjects, objects and predicate. `offline.py` turns
those tokens into entities and relations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def _words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated words, so long lists stay compact."""
    return frozenset(text.split())


# spaCy NER label -> our entity type. Labels not listed (CARDINAL, ORDINAL,
# QUANTITY, MONEY, PERCENT, TIME) are numbers or clock times, not things a
# memory graph should hold as nodes.
ENTITY_TYPES: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "group",
    "PRODUCT": "product",
    "EVENT": "event",
    "WORK_OF_ART": "work",
    "LANGUAGE": "language",
    "LAW": "thing",
    "DATE": "date",
}

# Labels of names: a span with one of them but no proper noun in it is a tagging mistake.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "NORP", "LANGUAGE"})

# Labels that never become relation endpoints: a relation to "yesterday" or
# "1990" says when, not what; the date goes to `valid_at` instead.
NON_ENDPOINT_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})

# Words a NER span may start with that are not part of the name ("the Louvre", "my Paris").
LEADING_WORDS = frozenset({"the", "a", "an", "my", "your", "his", "her", "our", "their", "its"})

FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})

# Openers of small talk: a sentence that starts with one of these and has no
# full verb ("Hello Alex!", "Thanks so much, Mel!") is not worth remembering.
SMALL_TALK = _words(
    """
    hi hello hey heya hiya yo greetings bye goodbye cheers thanks thank thx ty ok okay k yes
    yeah yep no nope sure cool great wow awesome nice lol haha hmm oh ah congrats
    congratulations good morning evening night welcome sorry glad
    """
)

# Verbs of greeting, so "Nice to meet you, Alice!" is small talk but "Glad you moved to Rome" is not.
SOCIAL_VERBS = _words("meet see hear talk chat speak catch thank welcome congratulate know")

# Nouns too vague to be graph nodes ("I have a lot of fun", "I did something").
VAGUE_NOUNS = _words(
    """
    lot lots thing things something anything everything nothing stuff way kind sort bit time
    times one ones part idea someone anyone everyone somebody anybody everybody place day
    others people folks loads tons bunch couple moment help chance
    """
)

# Left on noun names by the tokenizer ("family-", "awesome--").
TRAILING_JUNK = "-–—_~*'\".,;:!? "

# Adjectives that describe who someone is, so "I'm vegetarian" is worth a
# relation while "I'm tired" is not.
IDENTITY_ADJECTIVES = _words(
    """
    vegetarian vegan pescatarian lactose-intolerant diabetic celiac gluten-free married single
    divorced engaged widowed pregnant retired unemployed transgender trans gay lesbian bisexual
    queer nonbinary non-binary religious christian muslim jewish buddhist hindu atheist
    left-handed right-handed introverted extroverted
    """
)

# Nouns that name a relation between people: "my sister Anna" yields
# (Anna, sister_of, me) rather than a node called "sister" owned by nobody.
RELATIONAL_NOUNS = _words(
    """
    mother mom mum father dad parent sister brother sibling son daughter child kid wife husband
    spouse partner boyfriend girlfriend fiance fiancee friend roommate neighbor neighbour
    colleague coworker boss manager mentor cousin aunt uncle grandmother grandfather grandma
    grandpa niece nephew teacher doctor
    """
)

# Predicates after which a GPE/PERSON-tagged object is really an organization
# (the small model tags "OpenAI" as GPE in "works at OpenAI").
ORG_PREDICATES = _words(
    """
    works_at works_for worked_at worked_for working_at working_for joins joined joining
    employed_by hired_by interns_at interned_at founded founds cofounded ceo_of cto_of
    founder_of employee_of invested_in studies_at studied_at
    """
)

# Names the small model mislabels often enough to be worth fixing by hand.
KNOWN_ORGANIZATIONS = _words(
    """
    openai anthropic google microsoft apple amazon meta facebook netflix nvidia ibm intel tesla
    spacex deepmind mistral github gitlab twitter uber airbnb spotify stripe salesforce oracle
    """
)
ORG_SUFFIXES = ("inc", "inc.", "corp", "corp.", "ltd", "ltd.", "llc", "gmbh", "labs", "ai", "university")

# Raw predicate -> canonical predicate. Raw predicates are built mechanically
# ("is friends with" -> friend_with), so this only fixes wording.
PREDICATE_ALIASES: dict[str, str] = {
    "friend_with": "friend_of",
    "friends_with": "friend_of",
    "best_friend_with": "friend_of",
    "married_with": "married_to",
    "is_married_to": "married_to",
    "engaged_with": "engaged_to",
    "not_likes": "dislikes",
    "not_like": "dislikes",
    "not_enjoys": "dislikes",
    "been_to": "visited",
    "comes_from": "is_from",
    "came_from": "was_from",
    # Where someone moved is where they live now (a single-valued relation: ingest/single_valued.py).
    "moved_to": "lives_in",
    "relocated_to": "lives_in",
}

# Words at the start of "Word: text" that are labels, not speakers.
NON_SPEAKER_LABELS = _words(
    """
    note update reminder question answer edit ps re subject summary todo warning tip example
    user assistant system human ai bot important fyi context q a date time title
    """
)

_SPEAKER_PREFIX = re.compile(r"^\s*([A-Z][\w'.\-]*(?: [A-Z][\w'.\-]*){0,2}):\s+(\S.*)$", re.DOTALL)

_MONTHS = _words(
    """
    january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec
    """
)
_DATE_FORMATS = ("%Y", "%B %Y", "%b %Y", "%B %d, %Y", "%B %d %Y", "%d %B %Y", "%Y-%m-%d")

_IRREGULAR_THIRD_PERSON = {"be": "is", "have": "has", "do": "does", "go": "goes"}
_BE_FORMS = {"was": "was", "were": "was", "been": "been"}
_MODALS = {"'ll": "will", "wo": "will", "ca": "can", "'d": "would", "sha": "shall"}


def split_speaker(text: str) -> tuple[str | None, str]:
    """Split "Caroline: I went..." into ("Caroline", "I went..."); (None, text) if there is no speaker."""
    match = _SPEAKER_PREFIX.match(text)
    if match is None:
        return None, text
    name = match.group(1)
    if name.split()[0].lower().rstrip(".") in NON_SPEAKER_LABELS:
        return None, text
    return name, match.group(2)


def third_person(lemma: str) -> str:
    """'work' -> 'works', 'watch' -> 'watches', 'study' -> 'studies'; predicates read as 'X works_at Y'."""
    lemma = lemma.lower()
    if lemma in _IRREGULAR_THIRD_PERSON:
        return _IRREGULAR_THIRD_PERSON[lemma]
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    if len(lemma) > 1 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


def be_form(text: str) -> str:
    """Past forms of 'be' stay past ('was'); every present form reads 'is'."""
    return _BE_FORMS.get(text.lower(), "is")


def modal_word(text: str) -> str:
    """Expand clitic modals: "'ll" -> will, "ca" (of "can't") -> can."""
    return _MODALS.get(text.lower(), text.lower())


def snake(*parts: str) -> str:
    """Join words into lower_snake_case, dropping anything that is not a letter or digit."""
    joined = "_".join(part for part in parts if part)
    joined = re.sub(r"[^0-9a-z]+", "_", joined.lower().replace("favourite", "favorite"))
    return joined.strip("_")


def canonical_predicate(raw: str) -> str:
    """Map mechanically built predicates onto the common wording (friend_with -> friend_of)."""
    return PREDICATE_ALIASES.get(raw, raw)


def looks_like_organization(name: str) -> bool:
    """Well-known companies and names ending in Inc/Corp/Labs/..., whatever NER said."""
    lowered = name.lower()
    # "OpenAI"/"xAI": a capitalised AI suffix is a company; a lowercase one is a name ("Kai").
    return lowered in KNOWN_ORGANIZATIONS or lowered.split()[-1] in ORG_SUFFIXES or name.endswith("AI")


def is_absolute_date(text: str) -> bool:
    """'May 2021', '1990', '5/12' name a point in time; 'yesterday', 'last year', '4 years' do not."""
    lowered = text.lower()
    if re.search(r"\b\d{4}\b|\d{1,2}[/.-]\d{1,2}", lowered):
        return True
    return any(word in _MONTHS for word in re.findall(r"[a-z]+", lowered))


def iso_date(text: str) -> str | None:
    """ISO-8601 for the few date shapes that parse unambiguously ('1990', 'May 2021', 'May 5, 2021')."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().removeprefix("in ").strip())
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        if fmt == "%Y":
            return f"{parsed.year:04d}"
        if "%d" not in fmt:
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return parsed.date().isoformat()
    return None


# Parse-tree rules: which tokens are subjects, objects and predicates.


def is_misfire(ent: Span) -> bool:
    """The small model's favourite mistakes: "Hey" ORG, "Glad" PERSON, "Cherish" NORP."""
    if len(ent) == 1 and (ent[0].is_stop or ent[0].lower_ in SMALL_TALK):
        return True
    if ent.label_ not in NAME_LABELS or not ent.doc.has_annotation("TAG"):
        return False  # without the tagger (mentions), trust NER
    allowed = ("PROPN",) if ent.label_ not in ("NORP", "LANGUAGE") else ("PROPN", "ADJ", "NOUN")
    return not any(t.pos_ in allowed for t in ent)


def noun_name(token: Token, *, modifiers: bool = False) -> str:
    """Head noun plus its compounds ("LGBTQ support group"); proper nouns keep their case."""
    keep = ("compound", "amod", "nmod") if modifiers else ("compound",)
    words: list[Token] = []
    for child in token.lefts:
        if child.dep_ in keep or (child.dep_ == "amod" and (child.ent_type_ or child.pos_ == "PROPN")):
            words.extend(child.subtree)
    words.append(token)
    name = " ".join(w.text if w.pos_ == "PROPN" or w.ent_type_ or w.is_upper else w.lower_ for w in words)
    return name.strip(TRAILING_JUNK)  # the tokenizer leaves dashes on: "family-", "awesome--"


def possessor(token: Token) -> Token | None:
    """The owner in "my sister"/"John's brother" when the noun names a relation between people."""
    if token.lemma_.lower() not in RELATIONAL_NOUNS:
        return None
    return next((c for c in token.children if c.dep_ == "poss"), None)


def names_identity(token: Token) -> bool:
    """Adjectives that say who someone is: "a vegetarian", "vegan", NORP words like "Italian"."""
    has_article = any(c.dep_ == "det" for c in token.children)
    return has_article or token.lower_ in IDENTITY_ADJECTIVES or token.ent_type_ == "NORP"


def conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts]


def subjects(head: Token) -> list[Token]:
    """Subjects of a clause head, inherited through "and", "want to", and relative clauses."""
    direct = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if direct:
        subject = direct[0]
        if subject.tag_ in ("WP", "WDT") and head.dep_ == "relcl":
            return [head.head]  # "Sarah, who lives in Berlin" -> Sarah
        return conjuncts(subject)
    if head.dep_ in ("conj", "xcomp", "advcl") and head.head.pos_ in ("VERB", "AUX"):
        return subjects(head.head)
    if head.dep_ == "relcl" or (head.dep_ == "acl" and head.tag_ in ("VBN", "VBG")):
        return [head.head]  # "a dog named Max", "people living in Paris"; not "a dream to have a family"
    return []


def complements(head: Token) -> list[Token]:
    firsts = [c for c in head.children if c.dep_ in ("attr", "acomp")]
    return [conj for first in firsts for conj in conjuncts(first)]


def prepositional(word: Token) -> Iterator[tuple[str, Token]]:
    for prep in word.children:
        if prep.dep_ in ("prep", "agent"):
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    yield from ((prep.lower_, obj) for obj in conjuncts(pobj))


def objects(head: Token) -> Iterator[tuple[str, Token]]:
    """(predicate, object) pairs of a clause head, the predicate built from its verb/complement."""
    verb = verb_predicate(head)
    for child in head.children:
        if (child.dep_ in ("dobj", "attr") and head.lemma_ != "be") or child.dep_ == "oprd":
            yield from ((verb, obj) for obj in conjuncts(child))
    for preposition, obj in prepositional(head):
        yield canonical_predicate(snake(verb, preposition)), obj
    if head.lemma_ == "be":
        yield from copula_objects(head, verb)


def copula_objects(head: Token, verb: str) -> Iterator[tuple[str, Token]]:
    """Copula complements: "friends with X" -> friend_of, "allergic to X" -> allergic_to, "a vegan" -> is."""
    negation = "not" if any(c.dep_ == "neg" for c in head.children) else ""
    for complement in complements(head):
        if possessor(complement) is not None:
            continue  # "Anna is my sister" is a kinship relation, not (Anna, is, sister)
        linked = list(prepositional(complement))
        for preposition, obj in linked:
            yield canonical_predicate(snake(negation, complement.lemma_, preposition)), obj
        if not linked:
            yield verb, complement


def verb_predicate(head: Token) -> str:
    """The verb phrase in lower_snake_case: works, worked, born, will_move, not_like, wants_to_visit."""
    children = list(head.children)
    modal = next((modal_word(c.text) for c in children if c.tag_ == "MD"), "")
    negated = any(c.dep_ == "neg" for c in children)
    particle = next((c.lower_ for c in children if c.dep_ == "prt"), "")
    if head.lemma_ == "be":
        return snake(modal, be_form(head.text), "not" if negated else "")
    inner_clause = head.dep_ == "xcomp" and head.head.pos_ in ("VERB", "AUX")
    if modal or negated or (inner_clause and head.tag_ == "VB"):
        verb = head.lemma_  # "can't swim" -> can_not_swim, "want to visit" -> wants_to_visit
    elif head.tag_ in ("VBD", "VBN", "VBG"):
        verb = head.lower_  # keep tense: "worked at" is not "works at"
    else:
        verb = third_person(head.lemma_)
    predicate = snake(modal, "not" if negated else "", verb, particle)
    if inner_clause:
        to = "to" if any(c.tag_ == "TO" for c in children) else ""
        predicate = snake(verb_predicate(head.head), to, predicate)
    return canonical_predicate(predicate)


def clause_date(head: Token, ents: dict[int, Span]) -> str | None:
    """ISO date of an absolute DATE attached to the clause: "born in 1990" -> "1990"."""
    direct = [c for c in head.children if c.dep_ != "prep"]
    via_preposition = [g for c in head.children if c.dep_ == "prep" for g in c.children]
    for token in direct + via_preposition:
        ent = ents.get(token.i)
        iso = iso_date(ent.text) if ent is not None and ent.label_ == "DATE" else None
        if iso is not None:
            return iso
    return None


def sentences(doc: Doc) -> list[Span]:
    """spaCy's sentences, re-joined where the small parser splits mid-sentence ("I'm Alice | and I...")."""
    merged: list[Span] = []
    for sent in doc.sents:
        if merged and sent[0].is_lower and sent[0].is_alpha and sent[0].lower_ != "i":
            merged[-1] = doc[merged[-1].start : sent.end]
        else:
            merged.append(sent)
    return merged


def is_small_talk(sent: Span) -> bool:
    """Greetings, thanks and reactions ("Hello Alex!", "That's great!") carry nothing to remember."""
    words = [t for t in sent if any(ch.isalnum() for ch in t.text)]
    if not words:
        return True
    verbs = {t.lemma_.lower() for t in words if t.pos_ == "VERB"}
    if words[0].lower_ in SMALL_TALK and verbs <= SOCIAL_VERBS:
        return True  # "Hello Alex!", "Nice to meet you, Alice!", "Thanks so much, Mel!"
    contentful = [t for t in words if t.lower_ not in SMALL_TALK]
    if any(t.pos_ in ("NOUN", "PROPN", "NUM") for t in contentful):
        return False
    # Without a noun, only a statement about the speaker is a fact: "I'm vegetarian", "I moved",
    # not "That's great!", "Good to see you!", "You're doing amazing!".
    about_speaker = any(t.lower_ in FIRST_PERSON for t in words)
    return not (about_speaker and any(t.pos_ in ("VERB", "ADJ") for t in contentful))
