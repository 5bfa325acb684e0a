"""The explorer served by a real uvicorn on 127.0.0.1 (a free port), in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from graph_support import store_config

from graphmem.memory import AsyncMemory
from graphmem.ui.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(db: str | Path, prefix: str = "") -> Iterator[str]:
    """The explorer over the Kuzu store at `db` (hash embedder), at `prefix` of another app when given;
    yields its base URL, stops the server after."""
    app: Any = create_app(AsyncMemory(store_config(db)), close_memory=True)
    if prefix:
        from fastapi import FastAPI

        explorer, app = app, FastAPI(lifespan=lambda _: explorer.router.lifespan_context(explorer))
        app.mount(prefix, explorer)
    with running(app) as base:
        yield f"{base}{prefix}/"


@contextmanager
def running(app: Any) -> Iterator[str]:
    """`app` served by uvicorn in a thread (its lifespan run); yields `http://127.0.0.1:<port>`."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="explorer", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the explorer did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
