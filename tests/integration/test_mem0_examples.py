"""mem0's documented examples, written as its docs write them (in Chinese), with only the import changed.

The config is a mem0 config dict (vector_store, history_db_path, graph_store keys of Kuzu), except that the
hash embedder keeps the test fast; what is checked is the API's shape and the filters, not ranking quality.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory


@pytest.fixture
def m(tmp_path: Path) -> Iterator[Memory]:
    config: dict[str, Any] = {
        "vector_store": {"provider": "qdrant", "config": {"collection_name": "mem0", "path": str(tmp_path / "q")}},
        "graph_store": {"provider": "kuzu", "config": {"db": str(tmp_path / "graph")}, "threshold": 0.75,
                        "custom_prompt": "只記錄人、地點和公司"},
        "embedder": {"provider": "hash"},
        "history_db_path": str(tmp_path / "history.db"),
        "version": "v1.1",
    }
    with Memory.from_config(config) as memory:
        yield memory


def test_study_assistant_metadata_filters(m: Memory) -> None:
    m.add("我今天讀了兩小時的微積分，極限還是不太懂", user_id="小明",
          metadata={"type": "study_session", "subject": "數學", "minutes": 120})
    m.add("複習了物理的動量守恆", user_id="小明", metadata={"type": "study_session", "subject": "物理", "minutes": 45})
    m.add("週末想去陽明山爬山", user_id="小明", metadata={"type": "chat"})
    sessions = m.get_all(filters={"user_id": "小明", "metadata.type": "study_session"})["results"]
    assert {r["metadata"]["subject"] for r in sessions} == {"數學", "物理"}
    long = m.search("讀書", filters={"user_id": "小明", "AND": [{"metadata.type": "study_session"},
                                                                {"minutes": {"$gte": 60}}]}, top_k=5)["results"]
    assert [r["metadata"]["subject"] for r in long] == ["數學"]
    maths = m.get_all(filters={"user_id": "小明", "metadata": {"subject": {"$in": ["數學", "化學"]}}})["results"]
    assert len(maths) == 1


def test_multi_agent_scopes(m: Memory) -> None:
    m.add("使用者喜歡簡短的回答", agent_id="客服機器人", run_id="工單-1")
    m.add("使用者的訂單編號是 A123", user_id="阿華", agent_id="客服機器人", run_id="工單-1")
    m.add("使用者想退貨", user_id="阿華", agent_id="客服機器人", run_id="工單-2")
    assert len(m.get_all(filters={"agent_id": "客服機器人", "run_id": "工單-1"})["results"]) == 2
    assert [r["memory"] for r in m.get_all(filters={"user_id": "阿華", "run_id": "工單-2"})["results"]] == [
        "使用者想退貨"]
    only_run_1 = {"user_id": "阿華", "OR": [{"run_id": "工單-1"}]}
    assert [r["memory"] for r in m.get_all(filters=only_run_1)["results"]] == ["使用者的訂單編號是 A123"]


def test_lifecycle_created_at_and_archive(m: Memory) -> None:
    added = m.add("我對花生過敏", user_id="小美", metadata={"category": "健康"})
    memory_id = added["results"][0]["id"]
    record = m.get(memory_id)
    assert record is not None
    age = datetime.now(timezone.utc) - datetime.fromisoformat(record["created_at"])
    assert age.total_seconds() >= 0
    m.update(memory_id, metadata={"archived": True})  # the docs' archive example
    archived = m.get(memory_id)
    assert archived is not None and archived["memory"] == "我對花生過敏"
    assert archived["metadata"] == {"category": "健康", "archived": True}
    active = m.get_all(filters={"user_id": "小美", "NOT": [{"archived": True}]})["results"]
    assert active == []
    m.update(memory_id, text="我對花生和蝦子過敏")
    assert [e["event"] for e in m.history(memory_id)] == ["ADD", "UPDATE", "UPDATE"]


def test_mem0_2x_forms(m: Memory) -> None:
    m.add("限時優惠碼 SPRING", user_id="小明", expiration_date="2000-01-01", infer=False)
    m.add("會員等級是金卡", user_id="小明", infer=False, output_format="v1.1", version="v2", async_mode=False)
    assert [r["memory"] for r in m.get_all(filters={"user_id": "小明"}, top_k=10)["results"]] == ["會員等級是金卡"]
    everything = m.search("優惠", filters={"user_id": "小明"}, top_k=10, rerank=False, show_expired=True)
    assert "限時優惠碼 SPRING" in [r["memory"] for r in everything["results"]]
