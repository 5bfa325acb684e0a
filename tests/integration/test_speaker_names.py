"""A query's vector reads it without the names of the conversation's speakers (search/speakers): what the
embedder is sent, through the real OpenAI SDK against the scripted server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory
from graphmem.testing.llm_server import LLMServer

T0 = 1_700_000_000  # Unix seconds
CONVERSATION = ["Priya: Hey Tom! Long time no see.",
                "Tom: Hi Priya! I took Biscuit to the vet today.",
                "Priya: Work is hectic, so I do yoga every morning to unwind."]


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer(embedding_dims=24) as running:
        yield running


def memory(server: LLMServer, path: Path, **search: Any) -> Memory:
    return Memory({"graph_store": {"provider": "kuzu", "config": {"db": str(path)}},
                   "embedder": {"provider": "openai", "config": {"openai_base_url": server.openai_base_url,
                                                                 "api_key": "test-key", "model": "custom-model"}},
                   "search": search})


def embedded_query(server: LLMServer, mem: Memory, query: str) -> str:
    server.reset()
    mem.search(query, user_id="u", limit=3)
    inputs = [text for request in server.requests if request.endpoint == "embeddings"
              for text in request.body["input"]]
    return inputs[0]  # the query's, before a list question's head phrase


def test_a_speakers_name_is_left_out_of_the_querys_vector(server: LLMServer, tmp_path: Path) -> None:
    with memory(server, tmp_path / "db") as mem:
        for i, turn in enumerate(CONVERSATION):
            mem.add(turn, user_id="u", infer=False, timestamp=T0 + 60 * i)
        assert embedded_query(server, mem, "What does Priya do to unwind?") == "What does do to unwind?"
        assert embedded_query(server, mem, "Where did Tom's dog Biscuit go?") == "Where did dog Biscuit go?"
        assert embedded_query(server, mem, "Who is Priya?") == "Who is Priya?"  # nothing left to search by
        found = mem.search("What does Priya do to unwind?", user_id="u", limit=3)["results"]
        assert found[0]["memory"] == CONVERSATION[2]  # the other signals still read her name


def test_message_names_and_han_names_are_speakers_too(server: LLMServer, tmp_path: Path) -> None:
    with memory(server, tmp_path / "db") as mem:
        mem.add([{"role": "user", "name": "王磊", "content": "我最近每天早上都去跑步。"},
                 {"role": "assistant", "name": "小艾", "content": "坚持跑步很棒！"}], user_id="u", infer=False)
        assert embedded_query(server, mem, "王磊喜欢什么运动？") == "喜欢什么运动？"


def test_the_names_stay_when_configured(server: LLMServer, tmp_path: Path) -> None:
    with memory(server, tmp_path / "db", speaker_names_in_vector=True) as mem:
        for i, turn in enumerate(CONVERSATION):
            mem.add(turn, user_id="u", infer=False, timestamp=T0 + 60 * i)
        assert embedded_query(server, mem, "What does Priya do to unwind?") == "What does Priya do to unwind?"
