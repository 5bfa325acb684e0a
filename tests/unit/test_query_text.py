"""No query text is built from input: statements live in cypher/*.cypher, values travel as parameters.

Checked on the package's source: no Python string holds Cypher (outside docstrings), no call that runs
a query is given text assembled in place (f-string, `+`, `%`, `.format`, `.join`), and the only text
ever filled in is the embedding size of schema DDL (`CypherLibrary.render(..., dims=...)`, which
refuses anything but an integer or an internal identifier: tests/unit/test_cypher_library.py).
`graphmem cypher` runs the query a person typed, whole, on a store opened read-only: that is its job.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import graphmem

PACKAGE = Path(graphmem.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
CLAUSE = re.compile(r"\b(MATCH|OPTIONAL MATCH|MERGE|UNWIND|DETACH DELETE|RETURN|CREATE (INDEX|CONSTRAINT|NODE|REL))\b")
RUNNERS = {"execute", "run", "prepare", "_prepare", "execute_query", "query", "render"}


def docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def built(node: ast.expr) -> bool:
    """Text made in place from parts: an f-string, `a + b`, `a % b`, `x.format(...)`, `sep.join(...)`."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_query_text_in_python(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            assert not CLAUSE.search(node.value), f"{path.name}:{node.lineno}: Cypher belongs in cypher/*.cypher"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_queries_run_text_as_loaded_never_assembled(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS:
            assert not (node.args and built(node.args[0])), f"{path.name}:{node.lineno}: query text built in place"


def test_only_the_embedding_size_is_ever_rendered_into_text() -> None:
    calls = [(path.name, node) for path in SOURCES for node in ast.walk(ast.parse(path.read_text("utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "render"
             and path.name != "schemas.py"]  # schemas.py renders JSON Schemas, not queries
    assert calls
    for name, call in calls:
        assert [k.arg for k in call.keywords] == ["dims"], name


def test_the_scan_sees_a_built_query() -> None:
    tree = ast.parse('conn.execute(f"MATCH (n {{id: {x}}}) RETURN n")\nconn.run("MATCH " + label)')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    assert all(built(c.args[0]) for c in calls)
