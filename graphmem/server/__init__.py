"""graphmem's REST server: mem0's platform API (keys, tenants, webhooks, exports) over one AsyncMemory.

    graphmem keys create --org acme --project p1      # prints a key once
    graphmem serve --port 8000                        # then MemoryClient(api_key=..., host="http://127.0.0.1:8000")
                                                      # and the explorer page at http://127.0.0.1:8000/ui

`create_app(config)` (graphmem.server.app) builds the FastAPI app; FastAPI is imported only then.
"""

from __future__ import annotations

from typing import Any


def create_app(config: Any = None, settings: Any = None) -> Any:
    from graphmem.server.app import create_app as build

    return build(config, settings)


__all__ = ["create_app"]
