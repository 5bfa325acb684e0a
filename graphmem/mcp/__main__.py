"""`python -m graphmem.mcp [--http --port 8765] [--user-id ...]`: the MCP server without the graphmem CLI."""

from __future__ import annotations

from graphmem.mcp.commands import main

if __name__ == "__main__":
    raise SystemExit(main())
