"""The MCP server: graphmem.tools' tools and two resources per scope, on the official `mcp` SDK.

Built on the SDK's low-level `Server`, so the tools' input schemas are exactly the registry's (the same
JSON the OpenAI and Anthropic definitions carry), not re-derived from Python signatures. A failed call
(bad argument, unknown id) comes back as a tool result with `isError` set and the field named; the server
keeps serving. Transports: stdio (`serve_stdio`) and streamable HTTP (`http_app`, `serve_http`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from graphmem.errors import GraphMemError, MissingDependencyError, ValidationError
from graphmem.scope import Scope
from graphmem.tools import TOOLS, acall_tool, error_payload, to_json

if TYPE_CHECKING:
    from mcp.server.lowlevel import Server
    from starlette.applications import Starlette

    from graphmem.memory import AsyncMemory

SERVER_NAME = "graphmem"
ENTITIES_URI = "graphmem://entities"
SUMMARY_URI = "graphmem://summary"
INSTRUCTIONS = ("Long-term memory as a knowledge graph. Call search_memory before answering questions about the "
                "user, add_memory when they tell you something worth keeping, and the graph tools "
                "(entity_neighbourhood, paths_between, entity_timeline, what_was_true) for questions about how "
                "people, places and things relate and how that changed.")


def _require_mcp() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise MissingDependencyError("the MCP server needs the mcp package: pip install 'graphmem[mcp]'") from None


def _scope_query(uri: str, defaults: Scope) -> Scope:
    """A resource URI's scope: `?user_id=...&agent_id=...&run_id=...`, over the server's defaults."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
    return Scope.of(query.get("user_id") or defaults.user_id, query.get("agent_id") or defaults.agent_id,
                    query.get("run_id") or defaults.run_id)


async def read_resource(memory: AsyncMemory, uri: str, defaults: Scope) -> Any:
    """A resource's content: the scope's entity list, or a summary of its graph."""
    base = uri.split("?", 1)[0]
    scope = _scope_query(uri, defaults)
    ids = {"user_id": scope.user_id, "agent_id": scope.agent_id, "run_id": scope.run_id}
    if base == ENTITIES_URI:
        return {"entities": await memory.entities(limit=1000, **ids)}
    if base == SUMMARY_URI:
        return await memory.graph_summary(**ids)
    raise ValidationError(f"unknown resource {uri!r}; known: {ENTITIES_URI}, {SUMMARY_URI}", field="uri")


def build_server(memory: AsyncMemory, defaults: Scope | None = None) -> Server[Any]:
    """An MCP server over `memory`; `defaults` is the scope a call gets when it names none."""
    _require_mcp()
    import mcp_types as types
    from mcp.server.lowlevel import Server

    scope = defaults or Scope.of(required=False)
    ids = {"user_id": scope.user_id, "agent_id": scope.agent_id, "run_id": scope.run_id}

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=t.name, description=t.description, input_schema=t.json_schema()) for t in TOOLS.values()])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            result = await acall_tool(memory, params.name, params.arguments or {}, **ids)
        except GraphMemError as exc:
            return types.CallToolResult(content=[types.TextContent(type="text", text=to_json(error_payload(exc)))],
                                        is_error=True)
        text = to_json(result)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=json.loads(text) if isinstance(result, dict) else None)

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[
            types.Resource(name="entities", uri=ENTITIES_URI, mime_type="application/json",
                           description="The scope's entities (people, places, things), the most mentioned first. "
                                       "Another scope: ?user_id=...&agent_id=...&run_id=..."),
            types.Resource(name="graph-summary", uri=SUMMARY_URI, mime_type="application/json",
                           description="How many memories, entities and relations the scope holds, its top "
                                       "entities and relation names."),
        ])

    async def read(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        text = to_json(await read_resource(memory, uri, scope))
        return types.ReadResourceResult(contents=[
            types.TextResourceContents(uri=uri, mime_type="application/json", text=text)])

    return Server(SERVER_NAME, instructions=INSTRUCTIONS, on_list_tools=list_tools, on_call_tool=call_tool,
                  on_list_resources=list_resources, on_read_resource=read,
                  get_tool_input_schema=lambda name: TOOLS[name].json_schema() if name in TOOLS else None)


async def serve_stdio(memory: AsyncMemory, defaults: Scope | None = None) -> None:
    """Serve on stdin/stdout until the client closes them (what Claude Desktop, Claude Code and Cursor run)."""
    server = build_server(memory, defaults)
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def http_app(memory: AsyncMemory, defaults: Scope | None = None, host: str = "127.0.0.1") -> Starlette:
    """The streamable-HTTP app (endpoint `/mcp`); on 127.0.0.1 it refuses other Host/Origin headers."""
    return build_server(memory, defaults).streamable_http_app(host=host)


async def serve_http(memory: AsyncMemory, defaults: Scope | None = None, host: str = "127.0.0.1",
                     port: int = 8765) -> None:
    """Serve streamable HTTP at http://host:port/mcp until stopped."""
    app = http_app(memory, defaults, host)
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("the MCP HTTP transport needs uvicorn: pip install 'graphmem[mcp]'") from None
    await uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).serve()
