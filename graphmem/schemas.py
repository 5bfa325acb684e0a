"""Generate `schemas/*.json` from the pydantic models (the models are the source of truth).

    python -m graphmem.schemas          # rewrite schemas/
    python -m graphmem.schemas --check  # exit 1 when a committed schema drifted
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import BaseModel

from graphmem.config import MemoryConfig
from graphmem.ingest.llm_schema import LLMExtraction, LLMVerdicts
from graphmem.models import HistoryEvent, MemoryRecord, RelationRecord
from graphmem.resources import data_dir

SCHEMAS: dict[str, type[BaseModel]] = {
    "extraction.schema.json": LLMExtraction,  # what the extraction LLM answers with
    "reconcile.schema.json": LLMVerdicts,  # what the reconciliation LLM answers with (rarely asked)
    "memory.schema.json": MemoryRecord,
    "relation.schema.json": RelationRecord,
    "history-event.schema.json": HistoryEvent,
    "config.schema.json": MemoryConfig,
}


def render(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drifted(folder: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    return [name for name, model in SCHEMAS.items()
            if not (folder / name).is_file() or (folder / name).read_text("utf-8") != render(model)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    folder = data_dir("schemas")
    if args.check:
        stale = drifted(folder)
        for name in stale:
            print(f"schemas/{name} differs from its pydantic model: run python -m graphmem.schemas", file=sys.stderr)
        return 1 if stale else 0
    for name, model in SCHEMAS.items():
        (folder / name).write_text(render(model), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
