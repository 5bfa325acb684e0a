"""jieba's dictionary, loaded so that other threads keep running meanwhile.

`jieba.initialize()` reads its prefix dictionary from a marshal cache: one C call that holds the
GIL for 0.1-0.6 s, during which every other user of the process (another scope's `get_all`, a
server's other requests) waits. Here the same dictionary (word → frequency, every prefix of a word
at 0, and the total) is built from jieba's `dict.txt` in a Python loop that paces itself
(`graphmem.pacing`), ~0.7 s once per process, and handed to jieba's tokenizer; the words' tags,
read in the same pass, serve long texts, which are not run through the part-of-speech tagger.
A dictionary the application set itself (`jieba.set_dictionary`) is left to jieba to load.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any

from graphmem.errors import MissingDependencyError
from graphmem.pacing import Pacer

_lock = threading.Lock()
_tags: dict[str, str] = {}


def jieba_ready() -> Any:
    """The jieba module, its default tokenizer's dictionary loaded."""
    jieba = _jieba()
    with _lock:
        if not jieba.dt.initialized:
            _load(jieba)
    return jieba


def word_tags() -> dict[str, str]:
    """Each dictionary word's part-of-speech tag (nr person, ns place, ...)."""
    jieba = jieba_ready()
    with _lock:
        if not _tags and _custom(jieba):
            _tags.update(importlib.import_module("jieba.posseg").dt.word_tag_tab)
        elif not _tags:
            _tags.update(_read(_default_file(jieba))[2])
    return _tags


def _jieba() -> Any:
    try:
        import jieba
    except ImportError:
        raise MissingDependencyError("Chinese text needs jieba: pip install jieba") from None
    return jieba


def _load(jieba: Any) -> None:
    if _custom(jieba):
        jieba.setLogLevel(logging.WARNING)  # jieba logs its loading at DEBUG to stderr by default
        jieba.initialize()
        return
    frequencies, total, tags = _read(_default_file(jieba))
    with jieba.dt.lock:
        if not jieba.dt.initialized:
            jieba.dt.FREQ, jieba.dt.total = frequencies, total
            jieba.dt.initialized = True
    _tags.update(tags)


def _custom(jieba: Any) -> bool:
    return jieba.dt.dictionary is not None


def _default_file(jieba: Any) -> Path:
    return Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)


def _read(path: Path) -> tuple[dict[str, int], int, dict[str, str]]:
    """What jieba's gen_pfdict makes of a dictionary file (frequencies with prefixes, total), and tags."""
    frequencies: dict[str, int] = {}
    tags: dict[str, str] = {}
    total = 0
    pacer = Pacer()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 2:
                continue
            word, count = parts[0], int(parts[1])
            frequencies[word] = count
            total += count
            if len(parts) > 2:
                tags[word] = parts[2]
            for end in range(1, len(word)):
                frequencies.setdefault(word[:end], 0)
            pacer.tick()
    return frequencies, total, tags
