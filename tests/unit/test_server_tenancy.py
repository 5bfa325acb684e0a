"""Tenancy and export shaping, without a server: stored ids, filters, answers, restricted keys."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from graphmem.errors import ValidationError
from graphmem.server import exports
from graphmem.server.commands import register
from graphmem.server.state import check_name
from graphmem.server.tenancy import Forbidden, Tenant, split_filters

ACME = Tenant(key_id="k", org="acme", project="p1")


def test_scope_ids_are_prefixed_and_apps_are_agents() -> None:
    assert ACME.scope({"user_id": " alex ", "run_id": "r"}) == {"user_id": "acme/p1/u:alex", "agent_id": None,
                                                               "run_id": "acme/p1/r:r"}
    assert ACME.scope({"app_id": "shop"})["agent_id"] == "acme/p1/p:shop"
    assert ACME.scope({"agent_id": "shop"})["agent_id"] == "acme/p1/a:shop"
    with pytest.raises(ValidationError) as both:
        ACME.scope({"agent_id": "a", "app_id": "b"})
    assert both.value.field == "app_id"
    with pytest.raises(ValidationError):
        ACME.scope({})


def test_answers_show_the_ids_the_client_sent() -> None:
    stored = {"user_id": "acme/p1/u:alex", "agent_id": "acme/p1/p:shop", "memory": "x",
              "relations": [{"source": "acme/p1/u:alex", "target": "pizza"}]}
    assert ACME.public(stored) == {"user_id": "alex", "app_id": "shop", "memory": "x",
                                   "relations": [{"source": "alex", "target": "pizza"}]}
    # an id that looks like a marked one keeps its form
    assert ACME.public({"user_id": ACME.stored_id("user_id", "p:acme/p1/a:x")}) == {"user_id": "p:acme/p1/a:x"}


def test_filters_name_stored_ids_at_any_depth() -> None:
    ids, rest = split_filters({"AND": [{"user_id": "alex"}, {"topic": "food"}], "OR": []})
    assert ids == {"user_id": "alex"} and rest == {"AND": [{"topic": "food"}]}
    assert ACME.filters({"OR": [{"user_id": {"in": ["a", "b"]}}, {"app_id": "s"}]}) == {
        "OR": [{"user_id": {"in": ["acme/p1/u:a", "acme/p1/u:b"]}}, {"agent_id": "acme/p1/p:s"}]}


def test_restricted_keys_and_ownership() -> None:
    alice_only = Tenant(key_id="k", org="acme", project="p1", user_ids=("alice",))
    assert alice_only.scope({"user_id": "alice", "agent_id": "a"})["user_id"] == "acme/p1/u:alice"
    for ids in ({"user_id": "bob"}, {"agent_id": "a"}):
        with pytest.raises(Forbidden):
            alice_only.scope(ids)
    assert alice_only.owns({"user_id": "acme/p1/u:alice", "agent_id": None})
    assert not alice_only.owns({"user_id": "acme/p1/u:bob"})
    assert not ACME.owns({"user_id": "acme/p2/u:alice"}) and not ACME.owns({"user_id": None})
    assert not ACME.owns({"user_id": "acme/p1/u:alice", "run_id": "acme/p2/r:r"})


@pytest.mark.parametrize("name", ["", "a/b", "x" * 65, "a b"])
def test_org_and_project_names_cannot_blur_the_prefix(name: str) -> None:
    with pytest.raises(ValidationError):
        check_name(name, "org")


def test_exports_fit_the_schema_or_say_why_not() -> None:
    schema = exports.parse_schema('{"type": "object", "properties": {"user_id": {"type": "string"}, "count": '
                                  '{"type": "integer"}, "items": {"type": "array", "items": {"type": "object", '
                                  '"required": ["text", "topic"], "properties": {"text": {"type": "string"}, '
                                  '"topic": {"type": "string"}}}}}}')
    memories = [{"id": "1", "memory": "I love pizza", "metadata": {"topic": "food"}}]
    document = exports.shape(schema, memories, {"user_id": "alex"})
    assert document == {"user_id": "alex", "count": 1, "items": [{"text": "I love pizza"}]}
    assert "topic" in (exports.validate(schema, document) or "")
    with pytest.raises(ValidationError):
        exports.parse_schema("not json")


def test_serve_refuses_workers_on_kuzu(tmp_path: object) -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--db", f"{tmp_path}/db"])
    assert result.exit_code != 0
    assert "one worker" in str(result.exception)
