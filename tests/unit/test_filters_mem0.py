"""mem0's filter spellings (metadata.<key>, nested metadata, $-operators, scope keys in logic) and hostile shapes."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphmem.errors import ValidationError
from graphmem.search.filters import MAX_DEPTH, compile_filters, store_prefilter

STUDY = {"user_id": "alice", "agent_id": "tutor", "role": "user",
         "metadata": {"type": "study_session", "score": 8, "subject": {"name": "math"}}}
CHAT = {"user_id": "alice", "agent_id": "bot", "role": "assistant", "metadata": {"type": "chat", "score": 3}}
BOB = {"user_id": "bob", "metadata": {"role": "admin"}}
RECORDS = {"study": STUDY, "chat": CHAT, "bob": BOB}


def matching(filters: Any) -> set[str]:
    predicate = compile_filters(filters)
    return {name for name, record in RECORDS.items() if predicate(record)}


@pytest.mark.parametrize(("filters", "expected"), [
    ({"metadata.type": "study_session"}, {"study"}),
    ({"metadata": {"type": "study_session"}}, {"study"}),
    ({"type": "study_session"}, {"study"}),
    ({"metadata.subject.name": "math"}, {"study"}),  # a dotted path walks nested metadata
    ({"metadata": {"type": {"$in": ["chat", "quiz"]}}}, {"chat"}),
    ({"metadata.score": {"$gte": 5}}, {"study"}),
    ({"score": {"$gt": 2, "$lt": 5}}, {"chat"}),
    ({"score": {"$eq": 8}}, {"study"}),
    ({"score": {"$ne": 8}}, {"chat", "bob"}),
    ({"type": {"$nin": ["chat"]}}, {"study", "bob"}),
    ({"type": {"$contains": "study"}}, {"study"}),
    ({"type": {"$icontains": "STUDY"}}, {"study"}),
    ({"type": "*"}, {"study", "chat"}),
    ({"metadata.type": "*"}, {"study", "chat"}),
    ({"never_set": "x"}, set()),  # a key no memory has matches nothing, without error
    ({"metadata.never_set": {"$gte": 1}}, set()),
    ({"role": "admin"}, {"bob"}),  # a bare key reads metadata first
    ({"metadata.role": "user"}, set()),  # metadata.<key> reads metadata only
])
def test_mem0_spellings(filters: dict[str, Any], expected: set[str]) -> None:
    assert matching(filters) == expected


@pytest.mark.parametrize(("filters", "expected"), [
    ({"OR": [{"agent_id": "tutor"}, {"agent_id": "nobody"}]}, {"study"}),
    ({"AND": [{"user_id": "alice"}, {"metadata.type": "chat"}]}, {"chat"}),
    ({"$not": [{"user_id": "alice"}]}, {"bob"}),
    ({"$or": [{"$and": [{"type": "chat"}, {"score": 3}]}, {"type": "study_session"}]}, {"study", "chat"}),
    ({"user_id": "carol", "OR": [{"user_id": "bob"}]}, {"bob"}),  # top level selects, logic narrows
])
def test_scope_keys_inside_logic_are_conditions(filters: dict[str, Any], expected: set[str]) -> None:
    assert matching(filters) == expected


def _nested(depth: int) -> dict[str, Any]:
    filters: dict[str, Any] = {"type": "chat"}
    for _ in range(depth):
        filters = {"AND": [filters]}
    return filters


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("filters", [
    ["type", "chat"], "type=chat", 3, 2.5, b"x",  # not a dict
    {1: "a"}, {None: "a"}, {"": "a"}, {("a",): 1},  # keys that are no names
    {"topic": {}}, {"metadata": {}}, {"metadata": "x"}, {"AND": [{}]},
    {"topic": {"$regex": "a"}}, {"topic": {"like": "a"}}, {"topic": {"a": 1}},
    {"metadata": {"type": {"$bogus": 1}}}, {"NOT": [{"x": {"$between": [1, 2]}}]},
    {"topic": {"$in": "a"}},
    _nested(MAX_DEPTH + 1), _nested(5000),
    {"topic": {"eq": _deep_list(5000)}},
])
def test_bad_filters_are_typed_errors(filters: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        compile_filters(filters)
    assert caught.value.field == "filters"


def test_an_unknown_operator_is_named() -> None:
    with pytest.raises(ValidationError, match=r"\$regex"):
        compile_filters({"topic": {"$regex": "a"}})


def test_a_sane_depth_is_fine() -> None:
    assert matching(_nested(MAX_DEPTH - 1)) == {"chat"}


@pytest.mark.parametrize(("filters", "fragment"), [
    ({"user_id": "a", "metadata.type": "study_session"}, '"type": "study_session"'),
    ({"metadata": {"type": "學習"}}, '"type": "學習"'),
    ({"type": {"$eq": "chat"}}, '"type": "chat"'),
    ({"role": "user"}, None),  # a record field: not only in the metadata
    ({"type": "*"}, None),
    ({"score": 3}, None),  # only strings: 3 and 3.0 are equal but serialise apart
    ({"OR": [{"type": "chat"}]}, None),
    (None, None),
])
def test_store_prefilter(filters: dict[str, Any] | None, fragment: str | None) -> None:
    assert store_prefilter(filters) == fragment
    if fragment is not None:  # as ingest/plan stores metadata
        stored = json.dumps({"a": 1, **{k: v for k, v in [json.loads("{" + fragment + "}").popitem()]}},
                            ensure_ascii=False, sort_keys=True)
        assert fragment in stored


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
                    | st.sampled_from(["*", "$eq", "AND", "$or", "NOT", "metadata", "metadata.type", "user_id"]),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(["type", "score", "metadata", "metadata.type", "AND", "OR",
                                                       "$not", "user_id", "eq", "$gte", "in", "$contains", "x"])
                                      | st.text(max_size=6), children, max_size=4),
                    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_is_a_predicate_or_a_typed_error(filters: Any) -> None:
    try:
        predicate = compile_filters(filters)
    except ValidationError as error:
        assert error.field == "filters"
        return
    for record in RECORDS.values():
        assert predicate(record) in (True, False)


@pytest.mark.parametrize(("condition", "expected"), [
    ({"gte": datetime(2024, 7, 1, tzinfo=timezone.utc)}, {"july"}),
    ({"gte": datetime(2024, 7, 1)}, {"july"}),  # naive: UTC
    ({"lt": date(2024, 7, 1)}, {"june"}),
    ({"$gte": date(2024, 6, 30), "$lte": date(2024, 6, 30)}, {"june"}),  # the day of the UTC time
    ({"gt": "2024-06-30T23:00:00+00:00"}, {"july"}),  # ISO texts compare as times too
    ({"lte": "2024-06-30"}, {"june"}),  # a day includes all of it
    ({"gte": "2024-07-02"}, {"july"}),
    ({"gt": "2024-06-30T21:00:00-02:00"}, {"july"}),  # 23:00 UTC
    ({"gt": "June"}, {"odd"}),  # other strings compare as strings
    ({"gte": datetime(2024, 6, 30, 23, tzinfo=timezone(timedelta(hours=-2)))}, {"july"}),
])
def test_times_compare_as_times(condition: dict[str, Any], expected: set[str]) -> None:
    records = {"june": {"created_at": "2024-06-30T22:00:00+00:00"}, "july": {"created_at": "2024-07-02T08:00:00Z"},
               "odd": {"created_at": "not a time"}}
    predicate = compile_filters({"created_at": condition})
    assert {name for name, record in records.items() if predicate(record)} == expected
