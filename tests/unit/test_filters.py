"""mem0's metadata filters (graphmem/search/filters.py), evaluated on plain records."""

from __future__ import annotations

from typing import Any

import pytest

from graphmem.errors import ValidationError
from graphmem.search.filters import compile_filters, has_conditions

FOOD = {"user_id": "alice", "role": "user",
        "metadata": {"cat": "Food", "rating": 5, "tags": ["veg", "Cheap"], "note": "Loves PIZZA"}}
TRIP = {"user_id": "alice", "role": "assistant", "metadata": {"cat": "travel", "rating": 3, "tags": ["far"]}}
BARE = {"user_id": "bob", "metadata": None}
RECORDS = {"food": FOOD, "trip": TRIP, "bare": BARE}


def matching(filters: dict[str, Any] | None) -> set[str]:
    predicate = compile_filters(filters)
    return {name for name, record in RECORDS.items() if predicate(record)}


@pytest.mark.parametrize(("filters", "expected"), [
    ({"cat": "Food"}, {"food"}),
    ({"cat": "food"}, set()),  # equality is exact
    ({"cat": {"eq": "travel"}}, {"trip"}),
    ({"cat": {"ne": "travel"}}, {"food", "bare"}),  # a missing key is "not equal"
    ({"rating": {"gt": 3}}, {"food"}),
    ({"rating": {"gte": 3}}, {"food", "trip"}),
    ({"rating": {"lt": 5}}, {"trip"}),
    ({"rating": {"lte": 5}}, {"food", "trip"}),
    ({"rating": {"gte": 3, "lt": 5}}, {"trip"}),  # several operators on one key: all must hold
    ({"cat": {"in": ["Food", "travel"]}}, {"food", "trip"}),
    ({"cat": {"nin": ["Food"]}}, {"trip", "bare"}),
    ({"tags": {"contains": "veg"}}, {"food"}),
    ({"tags": {"contains": "cheap"}}, set()),
    ({"note": {"contains": "PIZZA"}}, {"food"}),
    ({"note": {"contains": "pizza"}}, set()),
    ({"note": {"icontains": "pizza"}}, {"food"}),
    ({"tags": {"icontains": "CHEAP"}}, {"food"}),
    ({"rating": {"contains": 5}}, set()),  # neither a string nor a list
    ({"rating": {"gt": "a"}}, set()),  # incomparable types never match, never raise
    ({"cat": "*"}, {"food", "trip"}),
    ({"missing": "*"}, set()),
    ({"role": "assistant"}, {"trip"}),  # record fields are filterable too
])
def test_field_operators(filters: dict[str, Any], expected: set[str]) -> None:
    assert matching(filters) == expected


@pytest.mark.parametrize(("filters", "expected"), [
    ({"AND": [{"cat": "Food"}, {"rating": 5}]}, {"food"}),
    ({"AND": [{"cat": "Food"}, {"rating": 3}]}, set()),
    ({"OR": [{"cat": "Food"}, {"rating": 3}]}, {"food", "trip"}),
    ({"NOT": [{"cat": "Food"}]}, {"trip", "bare"}),
    ({"NOT": [{"cat": "Food"}, {"cat": "travel"}]}, {"bare"}),
    ({"$and": [{"rating": {"gte": 3}}], "$not": [{"cat": "travel"}]}, {"food"}),
    ({"$or": [{"AND": [{"cat": "travel"}, {"rating": 3}]}, {"tags": {"contains": "veg"}}]}, {"food", "trip"}),
    ({"cat": "Food", "rating": 3}, set()),  # top-level keys are AND-ed
])
def test_logic(filters: dict[str, Any], expected: set[str]) -> None:
    assert matching(filters) == expected


@pytest.mark.parametrize("filters", [None, {}, {"user_id": "carol"}, {"agent_id": "x", "run_id": "y"}])
def test_scope_keys_are_ignored(filters: dict[str, Any] | None) -> None:
    assert matching(filters) == set(RECORDS)
    assert not has_conditions(filters)


def test_scope_keys_do_not_hide_other_conditions() -> None:
    assert has_conditions({"user_id": "alice", "cat": "Food"})
    assert matching({"user_id": "bob", "cat": "Food"}) == {"food"}


@pytest.mark.parametrize("value", ["' OR 1=1 //", 'x" OR "1"="1', "MATCH (n) DETACH DELETE n", "}{", "\\", "😀用户"])
def test_hostile_values_only_match_exactly(value: str) -> None:
    predicate = compile_filters({"tag": value})
    assert predicate({"metadata": {"tag": value}})
    assert not predicate({"metadata": {"tag": "anything"}})
    assert not predicate({"metadata": {"tag": value + " "}})


@pytest.mark.parametrize("filters", [
    {"rating": {"like": 3}},
    {"cat": {"in": "Food"}},  # in / nin need a list
    {"cat": {"nin": 3}},
    {"AND": {"cat": "Food"}},
    {"OR": []},
    {"NOT": ["cat"]},
    {"OR": [{"rating": {"bogus": 1}}]},  # nested conditions are checked too
])
def test_bad_filters_name_the_field(filters: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        compile_filters(filters)
    assert caught.value.field == "filters"
    assert isinstance(caught.value, ValueError)


def test_filters_must_be_a_dict() -> None:
    with pytest.raises(ValidationError) as caught:
        compile_filters(["cat", "Food"])  # type: ignore[arg-type]
    assert caught.value.field == "filters"
