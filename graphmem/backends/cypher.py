"""Load `.cypher` statements: one statement per file, dialect files override `common/`.

A statement is named by its path under the dialect folder without the
suffix, e.g. `memory/create`. Files hold parameters only; the few DDL files
that need a number (vector dimensions) or an internal identifier use a
`<<placeholder>>` that `render` fills after checking it is a plain integer or a
code-derived hex name, never user or model text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from graphmem.errors import QueryNotFoundError
from graphmem.resources import data_dir

_SAFE_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,96}$")


def _strip_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines).strip().rstrip(";")


def _read_folder(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).with_suffix("").as_posix(): _strip_comments(path.read_text("utf-8"))
        for path in sorted(folder.rglob("*.cypher"))
    }


@cache
def load_dialect(dialect: str, root: Path | None = None) -> dict[str, str]:
    """All statements of a dialect: `common/` overlaid by `<dialect>/`."""
    base = root or data_dir("cypher")
    statements = _read_folder(base / "common")
    statements.update(_read_folder(base / dialect))
    return statements


class CypherLibrary:
    """The statements one backend runs."""

    def __init__(self, dialect: str, root: Path | None = None) -> None:
        self.dialect = dialect
        self._statements = load_dialect(dialect, root)

    def names(self) -> list[str]:
        return sorted(self._statements)

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
