"""Run an ArcadeDB server with its Bolt plugin on 127.0.0.1, for the contract suite (and by hand).

    python tests/contract/arcadedb_server.py ROOT_DIR BOLT_PORT HTTP_PORT DATABASE   (password in ARCADEDB_PASSWORD)

Prints `READY` once the database exists, then serves until its standard input closes, so a
test session that dies cannot leave it behind. The server runs in its own process: its JVM
stays out of the test process.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    root, bolt_port, http_port, database = argv
    from arcadedb_embedded.server import ArcadeDBServer

    server = ArcadeDBServer(root_path=root, root_password=os.environ["ARCADEDB_PASSWORD"], config={
        "host": "127.0.0.1", "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "bolt_port": int(bolt_port), "http_port": int(http_port)})
    server.start()
    try:
        server.create_database(database)
        print("READY", flush=True)
        sys.stdin.read()  # until the parent closes the pipe (or dies)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
