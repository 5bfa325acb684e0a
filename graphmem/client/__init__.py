"""graphmem's clients for a graphmem server (`graphmem serve`), or mem0's platform, over httpx.

    from graphmem import MemoryClient
    client = MemoryClient(api_key="gm_...", host="http://127.0.0.1:8000")   # or GRAPHMEM_API_KEY / MEM0_API_KEY
    client.add("I love pizza", user_id="alex")
    client.search("food", user_id="alex")                        # v3 with filters; version="v1" / "v2" too

AsyncMemoryClient (graphmem/client/aio.py) is the one implementation; MemoryClient (blocking.py) its facade.
"""

from __future__ import annotations

from graphmem.client.aio import AsyncMemoryClient
from graphmem.client.blocking import MemoryClient

__all__ = ["AsyncMemoryClient", "MemoryClient"]
