"""graphmem as an MCP server (`graphmem mcp`, `python -m graphmem.mcp`): stdio and streamable HTTP.

Needs the `mcp` extra (`pip install 'graphmem[mcp]'`); nothing here imports it until a server is built.
"""

from __future__ import annotations

from graphmem.mcp.server import build_server, http_app, serve_http, serve_stdio

__all__ = ["build_server", "http_app", "serve_http", "serve_stdio"]
