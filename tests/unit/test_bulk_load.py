"""A loaded scope takes many rows at once (a large scope's first search) exactly as it takes them one by one: the
keyword index analyses the texts together, the matrices are made room for once, the load pauses garbage
collection. Each is compared here with the one-by-one way it replaces."""

from __future__ import annotations

import dataclasses
import gc
import random
import string
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from graphmem import Memory, pacing
from graphmem.inprocess import keywords, scopes
from graphmem.inprocess.keywords import KeywordIndex, analyse
from graphmem.inprocess.scopes import ScopeMemories, without_vectors
from graphmem.inprocess.vectors import ScopeVectors, VectorRow
from graphmem.pacing import collections_paused
from graphmem.scope import Scope
from tests.conftest import kuzu_config

TEXTS = ["She was Running to the Libraries, and works_there!", "", "   ", "the and of", "Q", "q Q q QQ",
         "Caf\u00e9 Z\u00fcrich", "Cafe\u0301 Zürich 東京", "我们去北京吃烤鸭 and then hiking", "서울에 갔다",
         "カタカナ テスト", "ΣΑΣ ΟΔΟΣ σοφός", "Ｆｕｌｌ width ｔｅｘｔ", "ﬁne ligatures", "emoji 😀 ok — “quoted”",
         "İstanbul", "don't won't can't", "123 4.5 6_7", "tab\tand\nnewline\x1cfile\x1fsep", "\x00 null \x00",
         "hiking hiking hiking every weekend", "x" * 300]
QUERIES = ["hiking weekend", "Zürich café", "北京", "the", "running libraries", "q", "σοφός", "nothing at all"]


def one_by_one(rows: Sequence[tuple[str, str]]) -> tuple[dict[str, tuple[list[int], list[float]]], list[float]]:
    """Postings and lengths as the index made them before: text by text, each text's terms counted."""
    postings: dict[str, tuple[list[int], list[float]]] = {}
    lengths: list[float] = []
    for position, (_, text) in enumerate(_first(rows)):
        terms = analyse(text)
        lengths.append(float(len(terms)))
        for term, count in Counter(terms).items():
            docs, counts = postings.setdefault(term, ([], []))
            docs.append(position)
            counts.append(float(count))
    return postings, lengths


def _first(rows: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    kept: dict[str, str] = {}
    for row_id, text in rows:
        kept.setdefault(row_id, text)
    return list(kept.items())


def assert_index_is(index: KeywordIndex, rows: Sequence[tuple[str, str]], removed: Sequence[str] = ()) -> None:
    postings, lengths = one_by_one(rows)
    assert {t: (list(d), list(c)) for t, (d, c) in index._postings.items()} == postings
    ids = [i for i, _ in _first(rows)]
    assert index._ids == ids and list(index._lengths) == lengths
    assert index._total_length == sum(n for i, n in zip(ids, lengths, strict=True) if i not in removed)


def test_texts_analysed_together_index_as_one_by_one() -> None:
    rows = [(f"t{i}", text) for i, text in enumerate(TEXTS)] + [("t3", "an id given twice keeps its first text")]
    together = KeywordIndex()
    together.add(rows)
    assert_index_is(together, rows)
    apart = KeywordIndex()
    for pair in rows:
        apart.add([pair])
    for query in QUERIES:
        assert together.top(query, 10) == apart.top(query, 10)
        assert together.coverage(query) == apart.coverage(query)


def test_many_texts_in_several_steps_and_random_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keywords, "TEXTS_PER_STEP", 7)
    chance = random.Random(7)
    alphabet = string.printable + "\x00\x1c\x1d\x1e\x1f_QQQ"
    rows = [(f"r{i}", "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 50)))) for i in range(300)]
    rows += [(f"t{i}", text) for i, text in enumerate(TEXTS)]
    index = KeywordIndex()
    index.add(rows[:150])
    index.remove(["r3", "r40"])
    index.add(rows[150:])
    assert_index_is(index, rows, removed=["r3", "r40"])
    for text in [t for _, t in rows if t.isascii()]:  # an ASCII text's split (read so by the bulk analysis)
        assert text.translate(keywords._ASCII_SPACES).split() == keywords._TOKEN.findall(text)


def test_a_warmed_text_is_indexed_with_its_warmed_terms() -> None:
    text = "我们去北京吃烤鸭"
    made = {text: ("北京", "烤鸭", "made-ahead")}  # what an add in flight warmed (stands for jieba's work)
    keywords.hold(made)
    try:
        index = KeywordIndex()
        index.add([("w", text), ("p", "plain words")])
        assert set(index._postings) == {"北京", "烤鸭", "made-ahead", "plain", "word"}
    finally:
        keywords.cool(made)


def test_a_row_without_vectors_is_the_row_with_them_taken_out() -> None:
    row = VectorRow(id="m", owner=("u", "a", "r"), embedding=[1.0, 0.0], name="n", names=["n"],
                    record={"id": "m", "text": "t"}, parts=[[0.0, 1.0]], context=[1.0, 1.0])
    assert without_vectors(row) == dataclasses.replace(row, embedding=None, parts=(), context=None)
    assert [f.name for f in dataclasses.fields(VectorRow)][:6] == ["id", "owner", "embedding", "name", "names",
                                                                    "record"]  # (without_vectors' order)


def test_a_matrix_reserves_the_room_that_steps_would_make() -> None:
    grown, reserved = ScopeVectors(2), ScopeVectors(2)
    rows = [VectorRow(id=f"v{i}", owner=("u", None, None), embedding=[1.0, float(i)]) for i in range(1000)]
    for start in range(0, len(rows), 256):
        grown.extend(rows[start:start + 256])
    reserved.reserve(len(rows))
    assert len(reserved._matrix) == len(grown._matrix) == 1024
    reserved.extend(rows)
    assert (reserved._matrix == grown._matrix).all() and reserved._ids == grown._ids


def memories(count: int) -> list[VectorRow]:
    chance = random.Random(3)
    said = sorted(f"2026-01-0{chance.randint(1, 3)}T00:00:00Z" for _ in range(count))  # many said at once
    return [VectorRow(id=f"m{chance.randint(0, 10**9):09d}-{i}", owner=("u", None, None),
                      embedding=[1.0, float(i % 7), float(i % 3)],
                      record={"id": f"m{i}", "text": f"{chance.choice(TEXTS)} {i % 11}", "hash": f"h{i % 50}",
                              "valid_at": at, "episode_ids": [f"e{i // 3}"], "entity_ids": [f"n{i % 5}", f"n{i % 5}"]},
                      context=[0.0, 1.0, float(i % 5)] if i % 4 else None)
            for i, at in enumerate(said)]


def held(loaded: ScopeMemories) -> dict[str, Any]:
    contexts = loaded._contexts
    assert contexts is not None
    return {"rows": loaded._rows, "by_time": loaded._by_time, "by_hash": loaded._by_hash,
            "by_entity": loaded._by_entity, "by_episode": loaded._by_episode, "ids": loaded._vectors._ids,
            "matrix": loaded._vectors._matrix[:len(loaded)].tolist(), "contexts": contexts._ids,
            "context_matrix": contexts._matrix[:len(contexts._ids)].tolist(),
            "answers": [loaded.keyword_top(q, 20) for q in QUERIES],
            "vector": [loaded.top_in_context([1.0, 2.0, 0.5], 20, 0.5), loaded.top([0.0, 1.0, 1.0], 20)]}


def test_a_scope_loaded_at_once_holds_what_rows_added_one_by_one_make(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scopes, "ROWS_PER_STEP", 16)  # rows said at the same time across steps
    rows = memories(600)
    at_once = ScopeMemories(3, rows)
    one_by_one = ScopeMemories(3)
    for row in rows:
        one_by_one.extend([row])
    assert held(at_once) == held(one_by_one)
    assert held(at_once)["by_time"] == sorted(held(at_once)["by_time"])


def test_collections_pause_for_a_load_and_come_back_as_they_were() -> None:
    assert gc.isenabled()
    with collections_paused():
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # until the last load ends
    assert gc.isenabled()
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()  # left off by the caller: stays off
    finally:
        gc.enable()
    with collections_paused():
        small = [[] for _ in range(10)]
    assert not any(o is small for o in gc.get_objects(generation=2))  # young: collected as usual
    with collections_paused():
        big = [[] for _ in range(pacing.PROMOTED_LOAD)]
    assert any(o is big for o in gc.get_objects(generation=2))  # not walked by the young collections first
    del small, big
    gc.freeze()  # an application's frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        with collections_paused():
            pass
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()


def test_a_kuzu_scope_loaded_in_a_new_memory_indexes_its_texts_as_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "db"
    texts = [f"{text} number {i}" for i, text in enumerate(TEXTS * 4)]
    with Memory(kuzu_config(path)) as memory:
        memory.search("load the scope", user_id="u")  # loaded empty: then added to, an add at a time
        for start in range(0, len(texts), 30):
            memory.add([{"role": "user", "content": t} for t in texts[start:start + 30]], user_id="u", infer=False)
        answers = [memory.search(q, user_id="u", limit=10)["results"] for q in QUERIES]
    with Memory(kuzu_config(path)) as memory:  # loaded from the store at once
        assert [memory.search(q, user_id="u", limit=10)["results"] for q in QUERIES] == answers
        cache = memory._async.backend._scopes
        with cache.lock:
            loaded = cache.get("memory", Scope(user_id="u"))
        assert isinstance(loaded, ScopeMemories) and len(loaded) > 0
        assert_index_is(loaded._keywords, [(i, r.text) for i, r in loaded._rows.items()])
