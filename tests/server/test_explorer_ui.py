"""The explorer page at /ui of a real server: the page without a key, its API only with one (401 without,
429 past the key's rate), and every answer confined to the key's tenant: two tenants with the same user id see
only their own scopes, search results, graph and memories (another tenant's memory id is not found), and a key
restricted to some users sees only those."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from graphmem.ui.routes import api_router


def _client(server: Any, key: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Token {key}"} if key else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=120)


def _add(http: httpx.Client, text: str, user_id: str) -> str:
    """A memory added through mem0's REST API (stored as said: no LLM), and its id."""
    added = http.post("/v3/memories/add/", json={"messages": text, "user_id": user_id, "infer": False})
    assert added.status_code == 200, added.text
    memory_id: str = added.json()["results"][0]["id"]
    return memory_id


def _unused(_: Any) -> Any:
    raise AssertionError("only the router's routes are read")


def _ui_api_routes() -> list[tuple[str, str]]:
    """Every route of the explorer's API router (the server serves it under /ui/api), its path made concrete."""
    return [(method, "/ui/api" + getattr(route, "path", "").replace("{memory_id}", "m1"))
            for route in api_router(_unused).routes
            for method in getattr(route, "methods", ())]


def test_the_page_and_its_files_are_served_without_a_key(server: Any) -> None:
    with _client(server) as http:
        page = http.get("/ui/")
        assert page.status_code == 200 and "graphmem explorer" in page.text
        assert '<body data-auth="token">' in page.text  # the page asks for a key
        # It runs its own files only (no inline or injected script) and no other site frames it.
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        moved = http.get("/ui", params={"user_id": "alice"})
        assert moved.status_code == 307 and moved.headers["location"] == "ui/?user_id=alice"
        assert http.get("/ui", follow_redirects=True).text == page.text
        for asset in ("app.js", "style.css", "vendor/cytoscape.min.js"):
            assert http.get(f"/ui/static/{asset}").status_code == 200, asset
        assert not any(path.startswith("/ui") for path in http.get("/openapi.json").json()["paths"])


def test_every_api_call_wants_a_key(server: Any) -> None:
    routes = _ui_api_routes()
    assert {path for _, path in routes} == {"/ui/api/scopes", "/ui/api/search", "/ui/api/graph",
                                            "/ui/api/memories/m1"}
    with _client(server) as http:
        for method, path in routes:
            for headers in ({}, {"Authorization": "Token gm_wrong"}, {"Authorization": "Basic x"}):
                answer = http.request(method, path, headers=headers, params={"q": "x", "user_id": "u"},
                                      json={"text": "x"})
                assert answer.status_code == 401 and answer.json()["detail"], (method, path, headers)


def test_the_api_keeps_the_servers_rate_limit(server_factory: Callable[..., Any],
                                              key_for: Callable[..., str]) -> None:
    server = server_factory(rate_per_minute=1.0, rate_burst=2)
    with _client(server, key_for("acme", "p1")) as http:
        assert [http.get("/ui/api/scopes").status_code for _ in range(2)] == [200, 200]
        limited = http.get("/ui/api/scopes")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_each_key_sees_its_own_tenant(server: Any, key_for: Callable[..., str]) -> None:
    acme, globex = key_for("acme", "p1"), key_for("globex", "p1")
    with _client(server, acme) as mine, _client(server, globex) as theirs:
        pizza = _add(mine, "alice bakes sourdough pizza on Fridays", "alice")
        _add(mine, "alice climbs in the Alps", "alice")
        _add(mine, "bob collects stamps", "bob")
        _add(theirs, "alice bakes pizza for the globex team", "alice")
        assert mine.get("/ui/api/scopes").json() == [
            {"user_id": "alice", "agent_id": None, "run_id": None}, {"user_id": "bob", "agent_id": None,
                                                                     "run_id": None}]
        assert theirs.get("/ui/api/scopes").json() == [{"user_id": "alice", "agent_id": None, "run_id": None}]
        found = mine.get("/ui/api/search", params={"q": "pizza", "user_id": "alice"}).json()
        assert found["results"][0]["id"] == pizza and found["results"][0]["explain"]
        assert all("globex" not in r["memory"] for r in found["results"])
        assert found["results"][0]["user_id"] == "alice"  # the id the client sent, not the stored one
        graph = mine.get("/ui/api/graph", params={"user_id": "alice"})
        texts = [n["data"].get("text") for n in graph.json()["nodes"]]
        assert "alice bakes sourdough pizza on Fridays" in texts
        assert "alice bakes pizza for the globex team" not in texts
        assert "acme/" not in graph.text and "globex" not in graph.text  # no tenant prefix leaks out
        details = mine.get(f"/ui/api/memories/{pizza}").json()
        assert details["memory"]["memory"] == "alice bakes sourdough pizza on Fridays"
        assert details["memory"]["user_id"] == "alice" and [h["event"] for h in details["history"]] == ["ADD"]
        assert "acme/" not in str(details)


def test_another_tenants_memory_is_not_found(server: Any, key_for: Callable[..., str]) -> None:
    acme, globex = key_for("acme", "p1"), key_for("globex", "p1")
    with _client(server, acme) as mine, _client(server, globex) as theirs:
        memory_id = _add(mine, "alice keeps the spare key under the mat", "alice")
        path = f"/ui/api/memories/{memory_id}"
        assert theirs.get(path).status_code == 404
        assert theirs.put(path, json={"text": "globex was here"}).status_code == 404
        assert theirs.delete(path).status_code == 404
        assert mine.get(path).json()["memory"]["memory"] == "alice keeps the spare key under the mat"
        assert mine.put(path, json={"text": "alice keeps the spare key in the shed"}).status_code == 200
        assert [h["event"] for h in mine.get(path).json()["history"]] == ["ADD", "UPDATE"]
        assert mine.put(path, json={}).json()["field"] == "text"
        assert mine.delete(path).status_code == 200
        assert mine.get(path).status_code == 404


def test_a_restricted_key_sees_only_its_users(server: Any, key_for: Callable[..., str]) -> None:
    with _client(server, key_for("acme", "p1")) as admin, _client(server, key_for("acme", "p1", "bob")) as bobs:
        alices = _add(admin, "alice likes jazz", "alice")
        _add(admin, "bob likes jazz too", "bob")
        assert bobs.get("/ui/api/scopes").json() == [{"user_id": "bob", "agent_id": None, "run_id": None}]
        assert bobs.get("/ui/api/search", params={"q": "jazz", "user_id": "alice"}).status_code == 403
        assert bobs.get("/ui/api/graph", params={"user_id": "alice"}).status_code == 403
        assert bobs.get("/ui/api/search", params={"q": "jazz"}).status_code == 403  # no user named: not all
        assert bobs.get(f"/ui/api/memories/{alices}").status_code == 404
        found = bobs.get("/ui/api/search", params={"q": "jazz", "user_id": "bob"}).json()["results"]
        assert [r["memory"] for r in found] == ["bob likes jazz too"]


@pytest.mark.parametrize(("path", "bad"), [("search", {"as_of": "soon"}), ("graph", {"as_of": "soon"}),
                                           ("search", {"app_id": "a", "agent_id": "b"})])
def test_bad_input_is_named(server: Any, key_for: Callable[..., str], path: str, bad: dict[str, str]) -> None:
    with _client(server, key_for("acme", "p1")) as http:
        answer = http.get(f"/ui/api/{path}", params={"q": "x", "user_id": "alice", **bad})
        assert answer.status_code == 400 and answer.json()["field"] in bad, answer.text


def test_a_search_asks_for_at_most_1000_results(server: Any, key_for: Callable[..., str]) -> None:
    with _client(server, key_for("acme", "p1")) as http:
        too_many = http.get("/ui/api/search", params={"q": "x", "user_id": "alice", "limit": 5000})
        assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"] == ["query", "limit"]
