"""schemas/*.json are generated from the pydantic models and must not drift."""

from __future__ import annotations

import json

from graphmem.resources import data_dir
from graphmem.schemas import SCHEMAS, drifted, render


def test_committed_schemas_match_the_models() -> None:
    assert drifted(data_dir("schemas")) == [], "run: python -m graphmem.schemas"


def test_extraction_schema_names_facts_entities_relations() -> None:
    schema = json.loads(render(SCHEMAS["extraction.schema.json"]))
    assert set(schema["properties"]) == {"facts", "entities", "relations"}
