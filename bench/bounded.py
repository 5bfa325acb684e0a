"""Bounded work: how long a too-big message takes to be refused, how the infer=False linker scales with a
message's length, and how long another scope's get_all waits while a 100k-character add runs.

    python bench/bounded.py [--embedder hash|local] [--language en|zh] [--infer]

With `--language zh` (or `en-chats`) the big message is 100,000 characters of the companion chats'
messages, the first Chinese (English) the process reads: with `--infer` the extractor's worker process
starts and loads jieba (spaCy) during the add, as on a fresh server.

Prints one Markdown table (copied into bench/RESULTS.md). Timings are measured, never asserted by tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from graphmem import AsyncMemory
from graphmem.errors import ValidationError
from graphmem.ingest.extract import ExtractionContext
from graphmem.ingest.linker import link_message
from graphmem.models import Message

ENGLISH = "Alice went to Paris with Bob. Then they met Carol in Berlin near the Louvre museum. "
CHINESE = "我和小明昨天去了北京，在天安门见到了李华。"


def linker_seconds(unit: str, chars: int) -> float:
    text = (unit * (chars // len(unit) + 1))[:chars]
    start = time.perf_counter()
    link_message(Message(role="user", content=text), ExtractionContext(self_name="u"))
    return time.perf_counter() - start


def chinese_text(chars: int) -> str:
    return companion_text("zh", chars)


def companion_text(language: str, chars: int) -> str:
    """Varied text: the companion chats' messages in that language one after another, numbered."""
    texts = [turn["text"] for path in sorted(Path(__file__).with_name("companion").glob(f"{language}/*.json"))
             for turn in _turns(json.loads(path.read_text(encoding="utf-8")))]
    parts, size = [], 0
    while size < chars:
        number = f"第{len(parts)}段。" if language == "zh" else f" ({len(parts)})\n"
        part = f"{texts[len(parts) % len(texts)]}{number}"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:chars]


def _turns(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    """LOCOMO's layout: session_1, session_2, ... lists of turns."""
    return [turn for key, value in conversation.items()
            if key.startswith("session_") and isinstance(value, list) for turn in value]


async def stall(embedder: str, big: str, infer: bool) -> tuple[float, float, float]:
    """(seconds to refuse 1 MB, seconds of a 100k add, worst get_all of another scope meanwhile)."""
    config = {"graph_store": {"provider": "kuzu", "config": {"db": tempfile.mkdtemp() + "/db"}},
              "embedder": {"provider": embedder}}
    memory = AsyncMemory(config)
    try:
        await memory.add("Bob likes tea", user_id="other", infer=False)
        await memory.add("warm up", user_id="big", infer=False)
        start = time.perf_counter()
        try:
            await memory.add("x" * 1_000_001, user_id="big", infer=False)
        except ValidationError:
            refused = time.perf_counter() - start
        worst, done = 0.0, False

        async def poll() -> None:
            nonlocal worst
            while not done:
                began = time.perf_counter()
                await memory.get_all(user_id="other")
                worst = max(worst, time.perf_counter() - began)
                await asyncio.sleep(0.005)

        poller = asyncio.create_task(poll())
        start = time.perf_counter()
        await memory.add(big, user_id="big", infer=infer)
        added = time.perf_counter() - start
        done = True
        await poller
        return refused, added, worst
    finally:
        await memory.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", default="hash")
    parser.add_argument("--language", default="en", choices=["en", "en-chats", "zh"],
                        help="en: one English paragraph repeated; en-chats, zh: the companion chats' messages")
    parser.add_argument("--infer", action="store_true", help="the big add with infer=True (offline extractor)")
    args = parser.parse_args()
    big = (ENGLISH * 1200)[:100_000] if args.language == "en" else companion_text(args.language[:2], 100_000)
    print("| measure | value |\n|---|---|")
    for chars in (10_000, 100_000, 1_000_000):
        print(f"| linker, English, {chars:,} chars | {linker_seconds(ENGLISH, chars):.3f} s |")
    for chars in (1_000, 10_000):
        print(f"| linker, Chinese, {chars:,} chars | {linker_seconds(CHINESE, chars):.3f} s |")
    refused, added, worst = asyncio.run(stall(args.embedder, big, args.infer))
    print(f"| 1 MB message refused ({args.embedder} embedder) | {refused * 1000:.2f} ms |")
    print(f"| 100k-char add ({args.language}), infer={args.infer} | {added:.3f} s |")
    print(f"| worst get_all of another scope during it | {worst * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
