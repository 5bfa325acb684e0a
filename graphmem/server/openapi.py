"""The server's OpenAPI document, generated from the app into `schemas/openapi.json` and drift-checked.

    python -m graphmem.server.openapi          # rewrite schemas/openapi.json
    python -m graphmem.server.openapi --check  # exit 1 when the committed document differs from the app's
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from graphmem.resources import data_dir

FILE = "openapi.json"


def document() -> dict[str, Any]:
    """The app's OpenAPI document (building the app opens nothing: the store opens in its lifespan)."""
    from graphmem.server.app import create_app

    schema: dict[str, Any] = create_app({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}}).openapi()
    return schema


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drifted() -> bool:
    path = data_dir("schemas") / FILE
    return not path.is_file() or path.read_text("utf-8") != render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        if drifted():
            print(f"schemas/{FILE} differs from the server's routes: run python -m graphmem.server.openapi",
                  file=sys.stderr)
            return 1
        return 0
    (data_dir("schemas") / FILE).write_text(render(), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
