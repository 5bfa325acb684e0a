"""Every dialect has every statement the code runs, and every `.cypher` file is run by someone.

Statement names are found in the code as string literals ("memory/create"); the vector search
names are composed per table (f"{table}/vector_scan") and listed here. Names found in a
backend's modules are that backend's own; all others are orchestration's and must resolve for
every dialect. A dialect resolves a name in its folder, then its backend's shared folders
(`bolt/` for the Bolt engines), then `common/`.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import graphmem
from graphmem.backends._bolt import SHARED_LAYERS, BoltBackend
from graphmem.backends.cypher import CypherLibrary
from graphmem.factory import BACKENDS, backend_class
from graphmem.resources import data_dir

ROOT = data_dir("cypher")
PACKAGE = Path(graphmem.__file__).parent
DIALECTS = tuple(BACKENDS)
CLASSES = {d: backend_class(d) for d in DIALECTS}
BOLT_DIALECTS = tuple(d for d, cls in CLASSES.items() if issubclass(cls, BoltBackend))
LIBRARIES = {d: cls.library() if issubclass(cls, BoltBackend) else CypherLibrary(d) for d, cls in CLASSES.items()}
FOLDERS = ("common", *SHARED_LAYERS, *DIALECTS)
AREAS = "|".join(sorted({p.name for d in FOLDERS if (ROOT / d).is_dir() for p in (ROOT / d).iterdir()
                         if p.is_dir()}))
STATEMENT_NAME = re.compile(rf"""["']((?:{AREAS})/\w+)["']""")
TABLES = ("memory", "entity")
# Composed names (f"{table}/...") and who runs them; vector_index_search where the backend has a native index.
COMPOSED = {d: {f"{t}/vector_scan" for t in TABLES} for d in BOLT_DIALECTS} | {
    "kuzu": {f"{t}/vectors_in_scope" for t in TABLES} | {  # and a large scope's load (backends/kuzu_vectors.py)
        f"memory/{n}" for n in ("count_in_scope", "vectors_hashed_in_scope", "hashed_in_scope", "vectors_by_id",
                                "vectors_of_ids")}}
INDEXED = {f"{t}/vector_index_search" for t in TABLES}
NATIVE_VECTOR_INDEX = tuple(d for d in BOLT_DIALECTS if CLASSES[d].vector_index)
ALIAS = re.compile(r"\bAS\s+(\w+)", re.IGNORECASE)


def backend_modules(dialect: str) -> list[Path]:
    """The backend's module, its parts (backends/<dialect>_*.py: kuzu_writes, ...) and the modules of its graphmem
    base classes (the shared Bolt code)."""
    bases = [Path(inspect.getfile(cls)) for cls in CLASSES[dialect].__mro__ if cls.__module__.startswith("graphmem.")]
    return [*bases, *sorted((PACKAGE / "backends").glob(f"{dialect}_*.py"))]


def names_in(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in STATEMENT_NAME.findall(path.read_text("utf-8"))}


ORCHESTRATION = names_in([p for p in PACKAGE.rglob("*.py") if p.parent.name != "backends"])


def used_by(dialect: str) -> set[str]:
    """What runs on this dialect: orchestration, its backend's modules, its schema, composed names."""
    schema = {n for n in LIBRARIES[dialect].names() if n.startswith("schema/")}
    indexed = INDEXED if dialect in NATIVE_VECTOR_INDEX else set()
    return ORCHESTRATION | names_in(backend_modules(dialect)) | schema | COMPOSED[dialect] | indexed


def test_orchestration_names_statements() -> None:
    assert {"memory/get", "graph/neighbours", "thread/get"} <= ORCHESTRATION


def test_every_backend_is_one_module_and_one_folder() -> None:
    for dialect, cls in CLASSES.items():
        assert cls.dialect == dialect
        assert Path(inspect.getfile(cls)) == PACKAGE / "backends" / f"{dialect}.py"
        assert (ROOT / dialect).is_dir()
    # Any other backend class in backends/ is shared code (the Bolt base), never a dialect of its own.
    for path in (PACKAGE / "backends").glob("*.py"):
        module = importlib.import_module(f"graphmem.backends.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and isinstance(vars(cls).get("dialect"), str):
                assert CLASSES[cls.dialect] is cls, cls


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_the_code_runs_exists(dialect: str) -> None:
    assert sorted(used_by(dialect) - set(LIBRARIES[dialect].names())) == []


@pytest.mark.parametrize("dialect", NATIVE_VECTOR_INDEX)
def test_native_vector_indexes_are_searched_and_created(dialect: str) -> None:
    library = LIBRARIES[dialect]
    assert set(library.names()) >= INDEXED
    schema = " ".join(library.get(n) for n in library.names() if n.startswith("schema/"))
    assert "memory_emb" in schema and "entity_emb" in schema


@pytest.mark.parametrize("dialect", BOLT_DIALECTS)
def test_a_dialect_without_a_native_index_has_no_index_search(dialect: str) -> None:
    if dialect not in NATIVE_VECTOR_INDEX:
        assert not set(LIBRARIES[dialect].names()) & INDEXED


def test_no_cypher_file_is_orphaned() -> None:
    """Each file of a shared or a dialect folder is what some dialect runs under its name."""
    run = {f"{LIBRARIES[d].origin(name)}/{name}" for d in DIALECTS for name in used_by(d)}
    files = {p.relative_to(ROOT).with_suffix("").as_posix() for folder in (*SHARED_LAYERS, *DIALECTS)
             for p in (ROOT / folder).rglob("*.cypher")}
    assert sorted(files - run) == []


def test_no_common_file_is_replaced_by_every_dialect() -> None:
    """A common statement that every dialect overrides is dead text: the shared version belongs in common/."""
    common = {p.relative_to(ROOT / "common").with_suffix("").as_posix() for p in (ROOT / "common").rglob("*.cypher")}
    assert sorted(n for n in common if all(LIBRARIES[d].origin(n) != "common" for d in DIALECTS)) == []


def test_memgraph_replaces_every_shared_schema_statement() -> None:
    """cypher/bolt/schema/ is Neo4j's DDL syntax (ArcadeDB's too); Memgraph's own files take every name."""
    library = LIBRARIES["memgraph"]
    schema = [n for n in library.names() if n.startswith("schema/")]
    assert {library.origin(n) for n in schema} == {"memgraph"}
    assert not any("IF NOT EXISTS" in library.get(n) for n in schema)


@pytest.mark.parametrize("dialect", BOLT_DIALECTS)
def test_overrides_return_the_same_columns_as_what_they_replace(dialect: str) -> None:
    """A dialect file that replaces a shared or common one for an engine's quirk answers in the same shape."""
    below, mine = CypherLibrary(SHARED_LAYERS[-1]), LIBRARIES[dialect]  # common/ overlaid by the shared folder
    for path in (ROOT / dialect).rglob("*.cypher"):
        name = path.relative_to(ROOT / dialect).with_suffix("").as_posix()
        if name not in below.names():
            continue
        returned = [text.rsplit("RETURN", 1)[-1] if "RETURN" in text else "" for text in
                    (below.get(name), mine.get(name))]
        assert set(ALIAS.findall(returned[0])) == set(ALIAS.findall(returned[1])), f"{dialect}/{name}"


@pytest.mark.parametrize("dialect", BOLT_DIALECTS)
def test_schema_statements_render_with_a_dimension(dialect: str) -> None:
    library = LIBRARIES[dialect]
    schema = [n for n in library.names() if n.startswith("schema/")]
    assert schema
    for name in schema:
        assert "<<" not in library.render(name, dims=384)


def test_explore_guides_are_not_run_by_any_dialect() -> None:
    guides = sorted((ROOT / "explore").glob("*.cypher"))
    assert len(guides) >= 4
    for dialect in DIALECTS:
        assert not any(n.startswith("explore/") for n in LIBRARIES[dialect].names())
    for guide in guides:
        text = guide.read_text("utf-8")
        assert text.lstrip().startswith("//"), guide.name  # says what it shows and which parameters it takes
        assert "<<" not in text
