"""Long Python work paces itself (graphmem.pacing) and jieba's dictionary loads in a paced loop
(graphmem.ingest.jieba_dict): neither may change what comes out."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import jieba
import pytest

from graphmem import pacing
from graphmem.ingest import chinese, jieba_dict


def test_paced_yields_every_item_in_order() -> None:
    assert list(pacing.paced(range(10_000))) == list(range(10_000))


def test_a_pacer_pauses_in_a_worker_thread_and_never_on_an_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(pacing, "SLICE", 0.0)
    monkeypatch.setattr(pacing.time, "sleep", pauses.append)

    pacing.Pacer().tick()
    assert pauses == [pacing.PAUSE]

    async def on_loop() -> None:
        pacing.Pacer().tick()

    asyncio.run(on_loop())
    assert pauses == [pacing.PAUSE]


def test_the_dictionary_is_read_as_jieba_reads_it(tmp_path: Path) -> None:
    text = "北京 100 ns\n北京大学 50 nt\n中华人民共和国 20 ns\n人民 300 n\nabc 3\n"
    path = tmp_path / "dict.txt"
    path.write_text(text, encoding="utf-8")
    frequencies, total, tags = jieba_dict._read(path)
    expected = jieba.Tokenizer.gen_pfdict(io.BytesIO(text.encode()))
    assert (frequencies, total) == expected
    assert tags == {"北京": "ns", "北京大学": "nt", "中华人民共和国": "ns", "人民": "n"}


def test_the_default_tokenizer_is_ready_and_tags_are_there() -> None:
    ready = jieba_dict.jieba_ready()
    assert ready.dt.initialized and ready.dt.total > 0
    assert jieba_dict.word_tags()["北京"] == "ns"


@pytest.mark.parametrize("text", [
    "我和小明昨天去了北京，在天安门见到了李华。" * 400,
    "没有标点的很长很长的一段中文" * 400,
    ("Alice 和 Bob 在 Paris 见面。\n" * 300) + "最后一句",
])
def test_a_long_text_is_cut_in_pieces_into_the_words_of_the_whole(text: str) -> None:
    pieces = list(chinese._pieces(text))
    assert "".join(pieces) == text and max(map(len, pieces)) <= 2000
    if chinese._SEGMENT_BREAK.search(text):
        whole = [w for w in jieba_dict.jieba_ready().lcut(text)]
        assert [w for piece in pieces for w in jieba.lcut(piece)] == whole
