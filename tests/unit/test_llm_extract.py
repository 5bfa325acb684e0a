"""The LLM extractor's pure parts: prompts, answer clean-up, parsing with one repair, back-off."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from graphmem import ExtractionError
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.llm_extract import LLMExtractor, to_extraction
from graphmem.ingest.llm_schema import LLMExtraction
from graphmem.ingest.prompts import EXTRACTION_SYSTEM_PROMPT, extraction_system, extraction_user
from graphmem.llm.base import (
    BadOutput,
    RawAnswer,
    Retry,
    Turn,
    inline_schema,
    parse_answer,
    strip_code_fences,
    structured_answer,
)
from graphmem.models import Message


def answer(facts: Sequence[Any] = (), entities: Sequence[Any] = (), relations: Sequence[Any] = ()) -> LLMExtraction:
    return LLMExtraction.model_validate({"facts": list(facts), "entities": list(entities),
                                         "relations": list(relations)})


def fact(text: str, *entities: str, updates: str | None = None, contradicts: str | None = None) -> dict[str, Any]:
    return {"text": text, "entities": list(entities), "updates": updates, "contradicts": contradicts}


def ent(name: str, kind: str = "thing", *aliases: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "aliases": list(aliases)}


def rel(source: str, relation: str, target: str, text: str = "", valid_at: str | None = None) -> dict[str, Any]:
    return {"source": source, "relation": relation, "target": target, "fact": text, "valid_at": valid_at}


def test_entities_are_merged_by_normalised_name_and_alias() -> None:
    result = to_extraction(answer(
        facts=[fact("Bob plays chess with alex", "bob", "I")],
        entities=[ent("Robert", "person", "Bob"), ent("bob", "thing", "Bobby"), ent("München", "location"),
                  ent("  ", "thing")],
        relations=[rel("Bob", "Plays Chess With", "me", "Bob plays chess with alex"),
                   rel("Bobby", "lives-in", "Muenchen (Munich)")]), {}, "alex")
    names = {e.name: e for e in result.entities}
    assert set(names) == {"Robert", "München", "alex", "Muenchen (Munich)"}
    assert names["Robert"].aliases == ["Bob", "Bobby"] and names["Robert"].type == "person"
    assert result.facts[0].entities == ["Robert", "alex"]
    assert [(r.source, r.relation, r.target) for r in result.relations] == [
        ("Robert", "plays_chess_with", "alex"), ("Robert", "lives_in", "Muenchen (Munich)")]


def test_ids_are_mapped_back_and_invented_ones_dropped() -> None:
    refs = {"m1": "uuid-1", "m2": "uuid-2"}
    result = to_extraction(answer(facts=[
        fact("a", updates="m1"), fact("b", contradicts="[M2]"), fact("c", updates="m9"),
        fact("d", contradicts="uuid-1"), fact("   ")]), refs, None)
    assert [(f.text, f.updates, f.contradicts) for f in result.facts] == [
        ("a", "uuid-1", None), ("b", None, "uuid-2"), ("c", None, None), ("d", None, "uuid-1")]


def test_relations_keep_iso_dates_and_drop_the_rest() -> None:
    result = to_extraction(answer(
        entities=[ent("alex", "person"), ent("Berlin", "location")],
        relations=[rel("alex", "lives_in", "Berlin", "x", "2024-05-01"), rel("alex", "moved_to", "Berlin", "y",
                                                                              "last year"),
                   rel("alex", "visited", "Berlin", "z", "2024-05-01T10:00:00Z"), rel("alex", " ", "Berlin")]),
        {}, None)
    assert [(r.relation, r.valid_at) for r in result.relations] == [
        ("lives_in", "2024-05-01"), ("moved_to", None), ("visited", "2024-05-01T10:00:00Z")]


def test_system_prompt_appends_custom_instructions() -> None:
    assert extraction_system(None) == EXTRACTION_SYSTEM_PROMPT
    assert extraction_system("  ") == EXTRACTION_SYSTEM_PROMPT
    custom = extraction_system("Only record travel plans.")
    assert custom.startswith(EXTRACTION_SYSTEM_PROMPT) and custom.endswith("Only record travel plans.")


def test_user_prompt_names_the_speaker_and_lists_existing_memories() -> None:
    context = ExtractionContext(self_name="alex", agent_name="planner",
                                existing={"uuid-1": "alex lives in Paris", "uuid-2": "alex likes tea"})
    text = extraction_user([Message(role="user", content="I moved to Berlin", name="Alex"),
                            Message(role="assistant", content="Congrats!")],
                           context, {"m1": "uuid-1", "m2": "uuid-2"}, date(2025, 3, 4))
    assert "Today's date: 2025-03-04." in text
    assert "The user is: alex" in text and "The assistant is: planner" in text
    assert "[m1] alex lives in Paris\n[m2] alex likes tea" in text
    assert text.endswith("Conversation:\nuser (Alex): I moved to Berlin\nassistant: Congrats!")
    assert "Existing memories: none" in extraction_user([Message(content="hi")], ExtractionContext(), {},
                                                        date(2025, 1, 1))


class _Recorder:
    """A StructuredLLM that records prompts and answers from a list (no HTTP: this tests the extractor only)."""

    description = "fake model"

    def __init__(self, *answers: LLMExtraction) -> None:
        self.answers = list(answers)
        self.prompts: list[tuple[str, str]] = []

    async def generate(self, system: str, user: str, schema: type[Any]) -> Any:
        self.prompts.append((system, user))
        return self.answers.pop(0)

    async def complete(self, system: str, user: str) -> str:
        raise AssertionError("not used")

    async def aclose(self) -> None:
        pass


def test_extract_makes_one_call_and_none_without_speech() -> None:
    llm = _Recorder(answer(facts=[fact("alex lives in Berlin", contradicts="m1")]))
    extractor = LLMExtractor(llm, today=lambda: date(2025, 1, 2))
    context = ExtractionContext(self_name="alex", existing={"uuid-9": "alex lives in Paris"}, instructions="Be brief")
    result = asyncio.run(extractor.extract([Message(role="system", content="ignored"),
                                            Message(content="I moved to Berlin")], context))
    assert result.facts[0].contradicts == "uuid-9"
    assert len(llm.prompts) == 1
    system, user = llm.prompts[0]
    assert system.endswith("Be brief") and "ignored" not in user and "2025-01-02" in user
    assert asyncio.run(extractor.extract([Message(role="system", content="x")], context)).facts == []
    assert len(llm.prompts) == 1


class _Point(BaseModel):
    x: int


@pytest.mark.parametrize("text", ['{"x": 1}', '```json\n{"x": 1}\n```', 'Here it is: {"x": 1} — done.'])
def test_parse_accepts_json_in_fences_or_prose(text: str) -> None:
    assert parse_answer(RawAnswer(text=text), _Point) == _Point(x=1)


@pytest.mark.parametrize(("raw", "reason"), [
    (RawAnswer(text='{"x": '), "not valid JSON"),
    (RawAnswer(text='{"x": "many"}'), "does not match the schema"),
    (RawAnswer(data={"x": 1}, truncated=True), "cut off"),
    (RawAnswer(text="", refusal="I can't"), "refused"),
])
def test_parse_says_what_is_wrong(raw: RawAnswer, reason: str) -> None:
    with pytest.raises(BadOutput, match=reason):
        parse_answer(raw, _Point)


def _asker(*answers: RawAnswer) -> tuple[list[Sequence[Turn]], Any]:
    seen: list[Sequence[Turn]] = []
    queue = list(answers)

    async def ask(turns: Sequence[Turn]) -> RawAnswer:
        seen.append(turns)
        return queue.pop(0)

    return seen, ask


def test_one_repair_then_a_typed_error() -> None:
    seen, ask = _asker(RawAnswer(text="{oops"), RawAnswer(text='{"x": 2}'))
    assert asyncio.run(structured_answer(ask, "question", _Point, "m")) == _Point(x=2)
    assert seen[1][0] == ("user", "question") and seen[1][1] == ("assistant", "{oops")
    assert "not valid JSON" in seen[1][2][1]

    seen, ask = _asker(RawAnswer(text="{oops"), RawAnswer(text='{"x": 1', truncated=True), RawAnswer(text="{}"))
    with pytest.raises(ExtractionError, match="after one repair attempt: first the output is not valid JSON"):
        asyncio.run(structured_answer(ask, "question", _Point, "m"))
    assert len(seen) == 2

    seen, ask = _asker(RawAnswer(text="", refusal="no"))
    with pytest.raises(ExtractionError, match="refused"):
        asyncio.run(structured_answer(ask, "question", _Point, "m"))
    assert len(seen) == 1  # a refusal is not repaired


def test_fences_backoff_and_inlined_schema() -> None:
    assert strip_code_fences("```\nsummary\n```") == "summary"
    assert strip_code_fences("  plain  ") == "plain"
    retry = Retry(retries=3, delay=0.5)
    assert [retry.pause(n, None) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry.pause(0, 2.5) == 2.5 and retry.pause(0, 999) == 30.0
    assert "$ref" not in str(inline_schema(LLMExtraction)) and "$defs" not in str(inline_schema(LLMExtraction))


def test_the_schema_sent_meets_openai_strict_mode() -> None:
    """Strict structured output: every object closed and every property required (optional = nullable)."""
    objects: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                objects.append(node)
            assert "default" not in node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(inline_schema(LLMExtraction))
    assert len(objects) == 4
    for node in objects:
        assert node["additionalProperties"] is False
        assert set(node["required"]) == set(node["properties"])
