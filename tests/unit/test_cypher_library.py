"""The `.cypher` statement library (graphmem/backends/cypher.py and cypher/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import graphmem
from graphmem.backends._bolt import SHARED_LAYERS
from graphmem.backends.cypher import CypherLibrary
from graphmem.errors import QueryNotFoundError
from graphmem.resources import data_dir

ROOT = data_dir("cypher")
FILES = sorted(ROOT.rglob("*.cypher"))
LIBRARY = CypherLibrary("kuzu")
PLACEHOLDER = re.compile(r"<<(\w+)>>")
# Only DDL (numbers) and projected-graph names (code-derived hex keys) may be filled into query text.
MAY_HAVE_PLACEHOLDERS = ("schema",)  # DDL of any dialect may take the vector dimensions
# A statement name as the code spells it: "memory/create", "graph/neighbours", ...
AREAS = "admin|entity|episode|event|graph|index|memory|relation|schema|scope"
STATEMENT_NAME = re.compile(rf"""["']((?:{AREAS})/\w+)["']""")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_library_is_not_empty() -> None:
    assert len(FILES) > 20
    assert len(LIBRARY.names()) > 20


@pytest.mark.parametrize("name", LIBRARY.names())
def test_every_statement_loads(name: str) -> None:
    text = LIBRARY.get(name)
    assert text.strip()
    assert not text.rstrip().endswith(";")
    if PLACEHOLDER.search(text):
        values = {key: 8 if key == "dims" else "p_abc123" for key in PLACEHOLDER.findall(text)}
        assert "<<" not in LIBRARY.render(name, **values)


def test_every_statement_named_in_the_code_exists() -> None:
    package = Path(graphmem.__file__).parent
    used = {name for path in package.rglob("*.py") for name in STATEMENT_NAME.findall(path.read_text("utf-8"))}
    assert used, "no statement names found in the package"
    # Kuzu's library, or the Bolt engines' (bolt/ holds reads that only they run: Kuzu answers those in RAM).
    bolt = {name for dialect in ("neo4j", "memgraph", "arcadedb")
            for name in CypherLibrary(dialect, shared=SHARED_LAYERS).names()}
    assert sorted(used - set(LIBRARY.names()) - bolt) == []


def test_dialect_files_override_common() -> None:
    common = {relative(p).removeprefix("common/") for p in FILES if relative(p).startswith("common/")}
    kuzu = {relative(p).removeprefix("kuzu/") for p in FILES if relative(p).startswith("kuzu/")}
    assert {p.removesuffix(".cypher") for p in common | kuzu} == set(LIBRARY.names())


def test_unknown_statement_is_a_lookup_error() -> None:
    with pytest.raises(QueryNotFoundError) as caught:
        LIBRARY.get("memory/does_not_exist")
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("value", [
    "x' OR 1=1", "p_memory'); MATCH (n) DETACH DELETE n //", "a b", "a-b", "", "x" * 97, "naïve", "1.5",
    True, 1.5, None, ["p_x"],
])
def test_render_refuses_unsafe_values(value: object) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        LIBRARY.render("schema/01_memory", dims=value)  # type: ignore[arg-type]


def test_render_fills_safe_values() -> None:
    assert "FLOAT[384]" in LIBRARY.render("schema/01_memory", dims=384)


def test_render_refuses_to_leave_a_placeholder_unfilled() -> None:
    with pytest.raises(ValueError, match="unfilled"):
        LIBRARY.render("schema/01_memory")


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_files_take_user_data_only_as_parameters(path: Path) -> None:
    text = path.read_text("utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    name = relative(path)
    if PLACEHOLDER.search(code):
        assert name.split("/")[1] in MAY_HAVE_PLACEHOLDERS, name
        assert set(PLACEHOLDER.findall(code)) <= {"dims"}
    # No Python-style formatting: no {field}, {0}, %s, %(name)s, ${...} or string concatenation of values.
    assert not re.search(r"\{\s*\w*\s*\}", code), name
    assert not re.search(r"%\(?\w*\)?s|\$\{", code), name
    assert "+ $" not in code and "$ +" not in code
    # Parameters are plain identifiers ($user_id), never quoted ('$user_id').
    assert not re.search(r"""['"][^'"\n]*\$\w+[^'"\n]*['"]""", code), name


def test_only_placeholder_files_contain_quoted_literals_built_from_keys() -> None:
    quoted_key = re.compile(r"'[^'\n]*<<\w+>>[^'\n]*'")
    files = {relative(p) for p in FILES if quoted_key.search(p.read_text("utf-8"))}
    assert files == set()


def test_each_directive_runs_a_statement_once_per_item_with_only_the_parameters_it_names() -> None:
    runs = LIBRARY.runs("memory/get_many", {"ids": ["e1", "e2"], "user_id": "u", "agent_id": None})
    assert [params for _, params in runs] == [{"id": "e1"}, {"id": "e2"}]
    rows = [{"id": "e", "mentions": 3, "memory_ids": ["m"], "unused": 1}]
    assert [params for _, params in LIBRARY.runs("entity/add_mentions", {"rows": rows, "cap": 64})] == [
        {"id": "e", "memory_ids": ["m"], "cap": 64}]
    assert LIBRARY.runs("memory/get_many", {"ids": []}) == []
    assert LIBRARY.runs("memory/get", {"id": "m"}) == [(LIBRARY.get("memory/get"), {"id": "m"})]


def test_columns_directive_binds_rows_and_their_nested_rows_as_lists(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "add.cypher").write_text(
        "// @columns rows items\nUNWIND range(1, size($rows_id)) AS i RETURN $rows_id[i], $rows_items_x, $rows_gone,"
        " $k, $rows_note, $rows_items_tags, $rows_items_first, $rows_items_last")
    library = CypherLibrary("kuzu", tmp_path)
    rows = [{"id": "a", "note": None, "items": [{"x": 1, "tags": []}, {"x": 2, "tags": []}]},
            {"id": "b", "note": None, "items": []}, {"id": "c", "note": None, "items": [{"x": 3, "tags": []}]}]
    [(_, params)] = library.runs("add", {"rows": rows, "k": 7, "unused": 1})
    assert params == {  # only what the text names: not "unused"
        "k": 7, "rows_id": ["a", "b", "c"], "rows_items_x": [1, 2, 3],
        "rows_items_first": [1, 3, 3], "rows_items_last": [2, 2, 3],  # 1-based and inclusive: b has none
        # Kuzu cannot type a list of nulls or of empty lists: one more value, that no index reaches, has one.
        "rows_note": [None, None, None, ""], "rows_items_tags": [[], [], [], [""]],
        "rows_gone": [None, None, None, ""]}  # a column the text names that no row has: null in each
    assert library.runs("add", {"rows": [], "k": 7}) == []  # no rows: nothing to run, as for @each
    [(_, bare)] = library.runs("add", {"rows": [{"id": "a", "items": []}]})
    assert bare["rows_items_x"] == [""] and bare["rows_items_first"] == [1] and bare["rows_items_last"] == [0]
    [(_, sparse)] = library.runs("add", {"rows": [{"id": "a", "gone": "g"}, {"id": "b"}], "k": 0})
    assert sparse["rows_gone"] == ["g", None] and sparse["k"] == 0 and sparse["rows_items_first"] == [1, 1]
