"""The MCP server through the official `mcp` SDK's client: over stdio (a spawned `graphmem mcp`) and over
streamable HTTP (`python -m graphmem.mcp --http` on 127.0.0.1), on a fresh Kuzu store each."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import typer
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from typer.testing import CliRunner

from graphmem.mcp.commands import register
from graphmem.tools import tool_names

JOHN = "John works at OpenAI and is friends with Sarah"


def write_config(folder: Path) -> Path:
    path = folder / "config.json"
    path.write_text(json.dumps({"graph_store": {"provider": "kuzu", "config": {"db": str(folder / "db")}},
                                "embedder": {"provider": "hash"}}))
    return path


def child_env(folder: Path) -> dict[str, str]:
    return {"GRAPHMEM_DIR": str(folder / "home"), "GRAPHMEM_USER_ID": "alice", "PYTHONWARNINGS": "ignore"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def payload(result: Any) -> Any:
    return json.loads(result.content[0].text)


async def add_search_neighbourhood_delete(client: Client) -> None:
    """The round trip the issue asks for, with a bad argument in the middle."""
    listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tool_names()) <= set(listed)
    assert listed["entity_neighbourhood"].input_schema["required"] == ["entity"]

    added = payload(await client.call_tool("add_memory", {"messages": JOHN}))
    assert [r["event"] for r in added["results"]] == ["ADD"]
    found = payload(await client.call_tool("search_memory", {"query": "Where does John work?", "limit": 3}))
    assert found["results"][0]["memory"] == JOHN

    bad = await client.call_tool("entity_neighbourhood", {"entity": "John", "hops": 9})
    assert bad.is_error and payload(bad)["error"]["field"] == "hops"
    unknown = await client.call_tool("get_memory", {"memory_id": "no-such-id"})
    assert unknown.is_error and payload(unknown)["error"]["type"] == "NotFoundError"

    around = payload(await client.call_tool("entity_neighbourhood", {"entity": "John"}))  # still serving
    assert {(r["source"], r["relationship"], r["target"]) for r in around["relations"]} == {
        ("John", "works_at", "OpenAI"), ("John", "friend_of", "Sarah")}
    summary = json.loads((await client.read_resource("graphmem://summary")).contents[0].text)
    assert (summary["memories"], summary["relations"]) == (1, 2)
    entities = json.loads((await client.read_resource("graphmem://entities?user_id=alice")).contents[0].text)
    assert {e["name"] for e in entities["entities"]} == {"John", "OpenAI", "Sarah"}

    memory_id = found["results"][0]["id"]
    assert payload(await client.call_tool("delete_memory", {"memory_id": memory_id}))["message"]
    assert payload(await client.call_tool("get_memories", {}))["results"] == []
    history = payload(await client.call_tool("memory_history", {"memory_id": memory_id}))
    assert [e["event"] for e in history["events"]] == ["ADD", "DELETE"]


def test_stdio_client_lists_tools_and_runs_the_round_trip(tmp_path: Path) -> None:
    # `graphmem --config FILE mcp`, the user taken from GRAPHMEM_USER_ID
    params = StdioServerParameters(command=sys.executable, cwd=str(tmp_path), env=child_env(tmp_path),
                                   args=["-m", "graphmem.cli", "--config", str(write_config(tmp_path)), "mcp"])

    async def session() -> None:
        async with Client(params, read_timeout_seconds=60) as client:
            await add_search_neighbourhood_delete(client)

    anyio.run(session)


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """`python -m graphmem.mcp --http` on a free port of 127.0.0.1; its URL. Stopped afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "graphmem.mcp", "--http", "--port", str(port),
               "--config", str(write_config(tmp_path)), "--user-id", "alice"]
    process = subprocess.Popen(command, env={**os.environ, **child_env(tmp_path)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def test_http_client_lists_tools_and_runs_the_round_trip(http_server: str) -> None:
    async def session() -> None:
        async with Client(http_server, read_timeout_seconds=60) as client:
            await add_search_neighbourhood_delete(client)

    anyio.run(session)


def test_register_adds_the_mcp_command_with_its_options() -> None:
    app = typer.Typer()
    register(app)

    @app.command("other")
    def other() -> None:  # a second command, so that `mcp` is a subcommand as in graphmem's app
        pass

    shown = CliRunner().invoke(app, ["mcp", "--help"])
    assert shown.exit_code == 0
    for option in ("--http", "--port", "--user-id", "--agent-id", "--run-id", "--db", "--config"):
        assert option in shown.output
