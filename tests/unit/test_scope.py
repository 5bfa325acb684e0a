"""Scopes (graphmem/scope.py): validation of the ids and the keys derived from them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graphmem.errors import ValidationError
from graphmem.scope import Scope, scope_key

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_ids_are_kept_and_stripped() -> None:
    scope = Scope.of("alice", " bot ", None)
    assert scope == Scope(user_id="alice", agent_id="bot", run_id=None)
    assert scope.params() == {"user_id": "alice", "agent_id": "bot", "run_id": None}


@pytest.mark.parametrize("field", ["user_id", "agent_id", "run_id"])
def test_any_single_id_is_enough(field: str) -> None:
    assert getattr(Scope.of(**{field: "x"}), field) == "x"


def test_at_least_one_id_is_required() -> None:
    with pytest.raises(ValidationError) as caught:
        Scope.of()
    assert caught.value.field == "user_id"
    assert Scope.of(required=False).is_empty()


@pytest.mark.parametrize("field", ["user_id", "agent_id", "run_id"])
@pytest.mark.parametrize("value", [1, 1.5, True, b"alice", ["alice"], {"id": "alice"}, "", "   "])
def test_bad_id_names_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Scope.of(**{"user_id": "ok", field: value})
    assert caught.value.field == field
    assert field in str(caught.value)


def test_keys_are_hex_digests_not_the_ids() -> None:
    scope = Scope.of("alice' OR 1=1 //", "bot", "run-1")
    keys = scope.keys()
    assert set(keys) == {"sk", "uk", "ak", "rk"}
    assert all(HEX32.match(value) for value in keys.values() if value is not None)
    assert "alice" not in "".join(v for v in keys.values() if v)


def test_keys_of_missing_ids_are_none() -> None:
    keys = Scope.of(user_id="alice").keys()
    assert keys["ak"] is None and keys["rk"] is None
    assert HEX32.match(keys["uk"] or "")


def test_keys_tell_scopes_apart() -> None:
    assert Scope.of("a").keys()["sk"] != Scope.of(agent_id="a").keys()["sk"]
    assert Scope.of("a").keys()["uk"] != Scope.of(agent_id="a").keys()["ak"]
    assert Scope.of("a").keys()["sk"] != Scope.of("a", "b").keys()["sk"]
    assert Scope.of("a", "b").keys()["uk"] == Scope.of("a").keys()["uk"]  # a user's key spans their agents
    assert Scope.of("a").keys()["sk"] == Scope.of("a").keys()["sk"]  # deterministic
    assert scope_key(None) != scope_key("")
    assert scope_key("a", "b") != scope_key("ab") != scope_key("a\x1fb")
