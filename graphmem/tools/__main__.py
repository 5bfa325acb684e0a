"""Write `schemas/tools/<tool>.json` from the tool registry (the arguments' pydantic models are the source).

    python -m graphmem.tools          # rewrite schemas/tools/
    python -m graphmem.tools --check  # exit 1 when a committed schema drifted from the registry
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graphmem.resources import data_dir
from graphmem.tools.registry import TOOLS, Tool

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def render(tool: Tool) -> str:
    """A standalone JSON Schema document of the tool's arguments, titled by the tool's name."""
    document = {"$schema": DRAFT, "title": tool.name, "description": tool.description, **tool.json_schema()}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drifted(folder: Path) -> list[str]:
    """Files that are missing, differ from the registry, or name a tool it no longer has."""
    expected = {f"{name}.json": render(tool) for name, tool in TOOLS.items()}
    present = {p.name for p in folder.glob("*.json")} if folder.is_dir() else set()
    stale = [n for n, text in expected.items() if n not in present or (folder / n).read_text("utf-8") != text]
    return sorted(stale + sorted(present - set(expected)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    folder = data_dir("schemas") / "tools"
    if parser.parse_args(argv).check:
        stale = drifted(folder)
        for name in stale:
            print(f"schemas/tools/{name} differs from the tool registry: run python -m graphmem.tools", file=sys.stderr)
        return 1 if stale else 0
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for name, tool in TOOLS.items():
        (folder / f"{name}.json").write_text(render(tool), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
