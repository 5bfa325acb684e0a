"""Find the data folders (`cypher/`, `schemas/`) in a source checkout or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`graphmem/_data/<name>` in a wheel, `<repo>/<name>` in a checkout or editable install."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"graphmem data folder {name!r} not found next to {_PACKAGE}")
