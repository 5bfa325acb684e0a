"""Tenant isolation under property-based fuzzing: whatever ids a client sends (slashes, prefixes that look
like another tenant's, agent/app markers), one project's key never reads another project's memories."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmem.server.state import ServerState

_PIECES = st.sampled_from(["acme", "p1", "p2", "/", "a:", "p:", "u:", "r:", "alice", " ", "é", "..", "%2F"])
IDS = st.lists(_PIECES, min_size=1, max_size=5).map("".join).filter(lambda s: s.strip() != "")
FIELDS = st.sampled_from(["user_id", "agent_id", "app_id", "run_id"])


@given(writer_id=IDS, reader_id=IDS, writer_field=FIELDS, reader_field=FIELDS, reader_project=st.sampled_from(
    ["p2", "p1.x", "p"]))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_other_projects_see_nothing(shared_server: Any, writer_id: str, reader_id: str, writer_field: str,
                                    reader_field: str, reader_project: str) -> None:
    server, key = shared_server
    state = ServerState(server.settings.state_path)
    try:
        other, _ = state.create_key("acme", reader_project)
    finally:
        state.close()
    with httpx.Client(base_url=server.url, timeout=120) as http:
        mine = {"Authorization": f"Token {key}"}
        theirs = {"Authorization": f"Token {other}"}
        added = http.post("/v3/memories/add/", headers=mine,
                          json={"messages": "The vault code is 4711", "infer": False, writer_field: writer_id})
        assert added.status_code == 200, added.text
        memory_id = added.json()["results"][0]["id"] if added.json()["results"] else None
        for path in ("/v3/memories/search/", "/v2/memories/search/"):
            found = http.post(path, headers=theirs, json={"query": "vault code", "filters": {reader_field: reader_id}})
            assert found.status_code == 200 and found.json()["results"] == [], found.text
        listed = http.post("/v3/memories/", headers=theirs, json={"filters": {reader_field: reader_id}})
        assert listed.json()["results"] == []
        assert http.get("/v1/entities/", headers=theirs).json()["results"] == []
        if memory_id is not None:
            assert http.get(f"/v1/memories/{memory_id}/", headers=theirs).status_code == 404
            assert http.get(f"/v1/memories/{memory_id}/history/", headers=theirs).status_code == 404
        assert http.delete("/v1/memories/", headers=theirs).status_code == 200
        if memory_id is not None:
            assert http.get(f"/v1/memories/{memory_id}/", headers=mine).status_code == 200
            mine_found = http.post("/v3/memories/search/", headers=mine,
                                   json={"query": "vault code", "filters": {writer_field: writer_id}})
            assert [r["id"] for r in mine_found.json()["results"]] == [memory_id]
            assert mine_found.json()["results"][0][writer_field] == writer_id.strip()
