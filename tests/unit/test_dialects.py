"""Every dialect has every statement the code runs, and every `.cypher` file is run by someone.

Statement names are found in the code as string literals ("memory/create"); the vector search
names are composed per table (f"{table}/vector_scan") and listed here. Names found in a
backend module are that backend's own; all others are orchestration's and must resolve for
every dialect.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import graphmem
from graphmem.backends.bolt import DIALECTS as BOLT_DIALECTS
from graphmem.backends.cypher import CypherLibrary
from graphmem.resources import data_dir

ROOT = data_dir("cypher")
PACKAGE = Path(graphmem.__file__).parent
DIALECTS = ("kuzu", *BOLT_DIALECTS)
AREAS = "|".join(sorted({p.name for d in ("common", *DIALECTS) if (ROOT / d).is_dir() for p in (ROOT / d).iterdir()
                         if p.is_dir()}))
STATEMENT_NAME = re.compile(rf"""["']((?:{AREAS})/\w+)["']""")
TABLES = ("memory", "entity")
# Composed names (f"{table}/...") and who runs them; vector_index_search is optional (a native index).
COMPOSED = {"kuzu": {f"{t}/vectors_in_scope" for t in TABLES}, **{d: {f"{t}/vector_scan" for t in TABLES}
                                                                  for d in BOLT_DIALECTS}}
OPTIONAL = {f"{t}/vector_index_search" for t in TABLES}
NATIVE_VECTOR_INDEX = {"neo4j", "memgraph"}
BACKEND_MODULES = {"kuzu": "kuzu.py", **dict.fromkeys(BOLT_DIALECTS, "bolt.py")}
ALIAS = re.compile(r"\bAS\s+(\w+)", re.IGNORECASE)


def names_in(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in STATEMENT_NAME.findall(path.read_text("utf-8"))}


BACKEND_FILES = sorted((PACKAGE / "backends").glob("*.py"))
ORCHESTRATION = names_in([p for p in PACKAGE.rglob("*.py") if p.parent.name != "backends"])


def used_by(dialect: str) -> set[str]:
    """What runs on this dialect: orchestration, its backend module, its schema, composed names."""
    library = CypherLibrary(dialect)
    own = names_in([PACKAGE / "backends" / BACKEND_MODULES[dialect]])
    schema = {n for n in library.names() if n.startswith("schema/")}
    optional = OPTIONAL if dialect in NATIVE_VECTOR_INDEX else set()
    return ORCHESTRATION | own | schema | COMPOSED[dialect] | optional


def test_orchestration_names_statements() -> None:
    assert {"memory/get", "memory/find_hashes", "graph/neighbours", "thread/get"} <= ORCHESTRATION


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_the_code_runs_exists(dialect: str) -> None:
    assert sorted(used_by(dialect) - set(CypherLibrary(dialect).names())) == []


@pytest.mark.parametrize("dialect", NATIVE_VECTOR_INDEX)
def test_native_vector_indexes_are_searched_and_created(dialect: str) -> None:
    library = CypherLibrary(dialect)
    assert set(library.names()) >= OPTIONAL
    schema = " ".join(library.get(n) for n in library.names() if n.startswith("schema/"))
    assert "memory_emb" in schema and "entity_emb" in schema


@pytest.mark.parametrize("dialect", DIALECTS)
def test_no_statement_is_orphaned(dialect: str) -> None:
    """(common/ is checked by test_cypher_library.py.)"""
    own = {p.relative_to(ROOT / dialect).with_suffix("").as_posix() for p in (ROOT / dialect).rglob("*.cypher")}
    assert sorted(own - used_by(dialect)) == []


@pytest.mark.parametrize("dialect", BOLT_DIALECTS)
def test_overrides_return_the_same_columns_as_common(dialect: str) -> None:
    """A dialect file that replaces a common one for an engine's quirk answers in the same shape."""
    common, mine = CypherLibrary("common"), CypherLibrary(dialect)
    for path in (ROOT / dialect).rglob("*.cypher"):
        name = path.relative_to(ROOT / dialect).with_suffix("").as_posix()
        if name not in common.names():
            continue
        returned = [text.rsplit("RETURN", 1)[-1] if "RETURN" in text else "" for text in
                    (common.get(name), mine.get(name))]
        assert set(ALIAS.findall(returned[0])) == set(ALIAS.findall(returned[1])), f"{dialect}/{name}"


@pytest.mark.parametrize("dialect", BOLT_DIALECTS)
def test_schema_statements_render_with_a_dimension(dialect: str) -> None:
    library = CypherLibrary(dialect)
    schema = [n for n in library.names() if n.startswith("schema/")]
    assert schema
    for name in schema:
        assert "<<" not in library.render(name, dims=384)


def test_explore_guides_are_not_run_by_any_dialect() -> None:
    guides = sorted((ROOT / "explore").glob("*.cypher"))
    assert len(guides) >= 4
    for dialect in DIALECTS:
        assert not any(n.startswith("explore/") for n in CypherLibrary(dialect).names())
    for guide in guides:
        text = guide.read_text("utf-8")
        assert text.lstrip().startswith("//"), guide.name  # says what it shows and which parameters it takes
        assert "<<" not in text
