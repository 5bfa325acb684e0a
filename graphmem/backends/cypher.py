"""Load `.cypher` statements: one statement per file, dialect files override `common/`.

A statement is named by its path under the dialect folder without the
suffix, e.g. `memory/create`. A dialect's folder is laid over any shared
folders its backend names (the Bolt engines share `bolt/`), laid over
`common/`: the most specific file of a name wins. Files hold parameters only; the few DDL files
that need a number (vector dimensions) or an internal identifier use a
`<<placeholder>>` that `render` fills after checking it is a plain integer or a
code-derived hex name, never user or model text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graphmem.errors import QueryNotFoundError
from graphmem.resources import data_dir

_SAFE_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,96}$")
# `// @each ids as id`: run the statement once per item of $ids, bound as $id.
# `// @each rows`: once per map of $rows, its keys bound as parameters.
_EACH = re.compile(r"^\s*//\s*@each\s+(\w+)(?:\s+as\s+(\w+))?\s*$", re.MULTILINE)
# `// @columns rows memories`: $rows, a list of maps, bound as one list per key, $rows_<key>; the maps'
# `memories` (lists of maps) flattened the same way, $rows_memories_<key>, with $rows_memories_first and
# _last, each row's items' positions (1-based and inclusive, as Kuzu indexes lists). Kuzu 0.11 binds 64
# nested rows of an add in ~17 ms and the same values as flat lists in ~1.2 ms (measured).
_COLUMNS = re.compile(r"^\s*//\s*@columns\s+(\w+)(?:\s+(\w+))?\s*$", re.MULTILINE)
_PARAMETER = re.compile(r"\$(\w+)")


@cache
def _parameters(text: str) -> frozenset[str]:
    """The parameter names a statement uses (asked on every run of an `@each` statement)."""
    return frozenset(_PARAMETER.findall(text))


@dataclass(frozen=True)
class Each:
    """A statement that runs once per item of a list parameter (see `_EACH`)."""

    list_param: str
    item_param: str | None


@dataclass(frozen=True)
class Columns:
    """A statement that takes a list of maps as one list per key (see `_COLUMNS`)."""

    list_param: str
    nested: str | None

    def bind(self, params: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
        """The parameters the text names (Kuzu refuses one its statement does not use), the list of maps
        as columns. A key that some rows lack is null there."""
        rows: list[dict[str, Any]] = params.get(self.list_param) or []
        groups = [row.get(self.nested) or [] for row in rows] if self.nested else []
        items = [item for group in groups for item in group]
        outer, inner = f"{self.list_param}_", f"{self.list_param}_{self.nested}_"
        bound = {k: v for k, v in params.items() if k in names and k != self.list_param}
        for name in names:
            if self.nested and name in (inner + "first", inner + "last"):
                continue
            if self.nested and name.startswith(inner):
                bound[name] = _column([item.get(name[len(inner):]) for item in items])
            elif name.startswith(outer):
                bound[name] = _column([row.get(name[len(outer):]) for row in rows])
        if self.nested:
            last = list(itertools.accumulate(len(group) for group in groups))
            bound[inner + "last"] = last
            bound[inner + "first"] = [end - len(group) + 1 for end, group in zip(last, groups, strict=True)]
        return bound


def _column(values: list[Any]) -> list[Any]:
    """The values; if none has a type (all null, or all empty lists), one more that no index reaches and
    that has one: Kuzu 0.11 cannot type such a list (a failed assertion, or a binder error), and every
    nullable column these statements take holds strings or lists of strings."""
    if any(_typed(value) for value in values):
        return values
    return [*values, [""] if any(isinstance(value, list) for value in values) else ""]


def _typed(value: Any) -> bool:
    return value is not None and (not isinstance(value, list) or any(_typed(item) for item in value))


def _strip_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines).strip().rstrip(";")


def _read_folder(folder: Path) -> dict[str, str]:
    """Raw file texts by statement name (comments kept: they may hold an `@each` directive)."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).with_suffix("").as_posix(): path.read_text("utf-8")
            for path in sorted(folder.rglob("*.cypher"))}


def _layers(dialect: str, shared: tuple[str, ...]) -> tuple[str, ...]:
    return ("common", *shared, dialect)


@cache
def _load_raw(dialect: str, root: Path | None, shared: tuple[str, ...] = ()) -> dict[str, tuple[str, str]]:
    """(folder, raw text) by statement name: later layers replace earlier ones."""
    base = root or data_dir("cypher")
    raw: dict[str, tuple[str, str]] = {}
    for layer in _layers(dialect, shared):
        raw.update({name: (layer, text) for name, text in _read_folder(base / layer).items()})
    return raw


@cache
def load_dialect(dialect: str, root: Path | None = None, shared: tuple[str, ...] = ()) -> dict[str, str]:
    """All statements of a dialect: `common/`, overlaid by the shared folders, overlaid by `<dialect>/`."""
    return {name: _strip_comments(text) for name, (_, text) in _load_raw(dialect, root, shared).items()}


@cache
def load_directives(dialect: str, root: Path | None = None, shared: tuple[str, ...] = ()) -> dict[str, Each]:
    """The statements of a dialect that run once per list item."""
    found = {name: _EACH.search(text) for name, (_, text) in _load_raw(dialect, root, shared).items()}
    return {name: Each(m.group(1), m.group(2)) for name, m in found.items() if m}


@cache
def load_columns(dialect: str, root: Path | None = None, shared: tuple[str, ...] = ()) -> dict[str, Columns]:
    """The statements of a dialect that take a list of maps as columns."""
    found = {name: _COLUMNS.search(text) for name, (_, text) in _load_raw(dialect, root, shared).items()}
    return {name: Columns(m.group(1), m.group(2)) for name, m in found.items() if m}


class CypherLibrary:
    """The statements one backend runs."""

    def __init__(self, dialect: str, root: Path | None = None, *, shared: tuple[str, ...] = ()) -> None:
        self.dialect = dialect
        self._root = root
        self._shared = shared
        self._statements = load_dialect(dialect, root, shared)
        self._each = load_directives(dialect, root, shared)
        self._columns = load_columns(dialect, root, shared)

    def names(self) -> list[str]:
        return sorted(self._statements)

    def origin(self, name: str) -> str:
        """The folder the statement comes from: `common`, a shared folder, or the dialect's own."""
        self.get(name)
        return _load_raw(self.dialect, self._root, self._shared)[name][0]

    def get(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise QueryNotFoundError(f"no cypher statement {name!r} for dialect {self.dialect!r}") from None

    def render(self, name: str, **values: int | str) -> str:
        """Fill `<<placeholders>>` with integers or safe internal identifiers only."""
        for key, value in values.items():
            if isinstance(value, bool) or not (
                isinstance(value, int) or (isinstance(value, str) and _SAFE_IDENTIFIER.match(value))
            ):
                raise ValueError(f"unsafe value for cypher placeholder {key!r}")
        text = self.get(name)
        for key, value in values.items():
            text = text.replace(f"<<{key}>>", str(value))
        if "<<" in text:
            raise ValueError(f"cypher statement {name!r} has an unfilled placeholder")
        return text

    def runs(self, name: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The (text, parameters) pairs that run statement `name`: one, or one per item for `@each`
        (a `@columns` statement runs once, its rows bound as columns).

        Engines whose planner joins an UNWIND list to a node table by scanning the table
        (Kuzu 0.11) look keys up one at a time instead: a prepared key lookup costs the
        same at any store size. Each run gets only the parameters its text names.
        """
        text = self.get(name)
        columns = self._columns.get(name)
        if columns is not None:  # no rows: nothing to run, as for `@each`
            return [(text, columns.bind(params, _parameters(text)))] if params.get(columns.list_param) else []
        each = self._each.get(name)
        if each is None:
            return [(text, params)]
        names = _parameters(text)
        shared = {k: v for k, v in params.items() if k in names}
        runs = []
        for item in params.get(each.list_param) or []:
            values = {each.item_param: item} if each.item_param else {k: v for k, v in item.items() if k in names}
            runs.append((text, {**shared, **values}))
        return runs
