"""Keys, tenants and the request guard on a real server: every route wants a key, restricted keys get 403,
revoked keys 401, a key's rate limit 429 with Retry-After, big bodies 413, request ids echoed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

import graphmem
from graphmem.server.app import create_app
from graphmem.server.commands import register


def _routes() -> list[tuple[str, str]]:
    app = create_app({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}})
    schema = app.openapi()
    return [(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if path not in ("/health", "/ready")]


def test_no_route_answers_without_a_key(server: Any) -> None:
    routes = _routes()
    assert len(routes) >= 20
    with httpx.Client(base_url=server.url, timeout=120) as http:
        for method, path in routes:
            concrete = path.replace("{memory_id}", "m1").replace("{entity_type}", "user") \
                .replace("{entity_id}", "u").replace("{project_id}", "p1").replace("{webhook_id}", "1")
            for headers in ({}, {"Authorization": "Token gm_wrong"}, {"Authorization": "Basic x"}):
                answer = http.request(method, concrete, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers, answer.text)
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/ready").json() == {"status": "ready"}


def test_restricted_and_revoked_keys(server: Any, key_for: Callable[..., str], tmp_path: Any) -> None:
    key = key_for("acme", "p1", "alice")
    with httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Token {key}"}) as http:
        added = http.post("/v3/memories/add/", json={"messages": "I love pizza", "user_id": "alice"})
        assert added.status_code == 200, added.text
        assert http.post("/v3/memories/add/", json={"messages": "x", "user_id": "bob"}).status_code == 403
        assert http.post("/v3/memories/search/", json={"query": "x", "filters": {"agent_id": "a"}}).status_code == 403
        assert http.post("/v3/memories/", json={"filters": {"user_id": "bob"}}).status_code == 403
        app = typer.Typer()
        app.callback()(lambda: None)
        register(app)
        state = str(tmp_path / "state.sqlite3")
        listed = CliRunner().invoke(app, ["keys", "list", "--state", state, "--json"])
        [record] = __import__("json").loads(listed.stdout)
        assert record["user_ids"] == ["alice"] and "key" not in record
        revoked = CliRunner().invoke(app, ["keys", "revoke", record["id"], "--state", state])
        assert revoked.exit_code == 0, revoked.output
        assert http.get("/v1/ping/").status_code == 401


def test_rate_limit_body_limit_and_request_ids(server_factory: Callable[..., Any],
                                               key_for: Callable[..., str]) -> None:
    server = server_factory(rate_per_minute=60.0, rate_burst=3, max_body=2048)
    key = key_for("acme", "p1")
    with httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Token {key}"}) as http:
        answers = [http.get("/v1/ping/") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1
        with pytest.raises(graphmem.RateLimitError) as limited:
            graphmem.MemoryClient(api_key=key, host=server.url)
        assert limited.value.retry_after is not None and limited.value.retry_after >= 1
        big = http.post("/v3/memories/add/", json={"messages": "x" * 5000, "user_id": "u"})
        assert big.status_code == 413
        tagged = http.get("/health", headers={"X-Request-Id": "abc-123"})
        assert tagged.headers["X-Request-Id"] == "abc-123"
        assert len(http.get("/health").headers["X-Request-Id"]) == 32


@pytest.mark.parametrize("bad", [{"messages": "x"}, {"messages": "x", "user_id": ""}, {"messages": 5, "user_id": "u"},
                                 {"messages": "x", "user_id": "u", "agent_id": "a", "app_id": "b"}])
def test_bad_input_is_a_400_naming_the_field(server: Any, key_for: Callable[..., str], bad: dict[str, Any]) -> None:
    headers = {"Authorization": f"Token {key_for('acme', 'p1')}"}
    with httpx.Client(base_url=server.url, timeout=120, headers=headers) as http:
        answer = http.post("/v3/memories/add/", json=bad)
        assert answer.status_code in (400, 422), answer.text
        assert answer.json()["detail"]
