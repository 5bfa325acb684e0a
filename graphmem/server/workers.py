"""`graphmem serve --workers N` on Neo4j/Memgraph: N processes serving one listening socket.

The parent binds the socket and starts each worker with the Memory config as an argument (no
environment variables, no import-string app): each worker builds its own app, AsyncMemory and
connection pool, and keeps no state between requests but the shared state file (SQLite).
"""

from __future__ import annotations

import multiprocessing
import socket
from typing import Any

from graphmem.server.app import ServerSettings


def _worker(memory: dict[str, Any], settings: ServerSettings, sock: socket.socket) -> None:
    import uvicorn

    from graphmem.server.app import create_app

    config = uvicorn.Config(create_app(memory, settings), log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(memory: dict[str, Any], settings: ServerSettings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; the workers stop with the parent."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(memory, settings, sock), name=f"graphmem-worker-{i}")
                 for i in range(workers)]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
    finally:
        sock.close()
