#!/usr/bin/env python3
"""Data for the calibrated `score`: how similar a query is to its best memories, for queries that have an
answer in the store and for queries that have none.

Stores of the companion chats (bench/companion, zh and en, two conversations per store, ~100
memories) are searched with (a) their own questions whose evidence is one turn (the answer is there, in
other words) and (b) off-topic questions (physics, finance, code, ...) that nothing in a personal chat
answers. For each search it records the vector similarity of the best hit, the median of the top 50 and
whether the best fused hit is evidence; `--fit` fits the logistic map that graphmem/search/calibrate.py
uses from them.

    python bench/calibration.py --json /tmp/calibration.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import companion_recall as cr

from graphmem import Memory

OFF_TOPIC = {
    "en": ["quantum chromodynamics gluon confinement", "How do I configure a Kubernetes ingress controller?",
           "What is the capital gains tax rate on bonds?", "Explain the Krebs cycle", "Who won the 1998 World Cup?",
           "How does a Fourier transform work?", "Best practices for PostgreSQL indexing",
           "What is the boiling point of tungsten?", "History of the Byzantine empire",
           "How to compile the Linux kernel", "What causes tides on Earth?", "Derivative of arctangent",
           "Rules of cricket lbw", "How do vaccines train the immune system?", "Price of copper futures"],
    "zh": ["量子色動力學", "如何設定 Kubernetes 的 ingress？", "債券的資本利得稅率是多少？", "解釋克氏循環",
           "1998年世界盃冠軍是誰？", "傅立葉轉換是怎麼運作的？", "PostgreSQL 索引的最佳實踐", "鎢的沸點是多少？",
           "拜占庭帝國的歷史", "如何編譯 Linux 核心", "地球上的潮汐是怎麼形成的？", "反正切函數的導數",
           "板球的規則", "疫苗如何訓練免疫系統？", "銅期貨的價格"],
}


def store_pairs(lang: str) -> list[list[Path]]:
    paths = sorted((cr.DATA / lang).glob("*.json"))
    return [paths[i:i + 2] for i in range(0, len(paths) - 1, 2)]


def probe(memory: Memory, user: str, query: str, as_of: Any, evidence: set[str] | None) -> dict[str, Any]:
    found = memory.search(query, user_id=user, limit=50, explain=True, as_of=as_of)["results"]
    cosines = sorted((r["explain"].get("vector", 0.0) for r in found), reverse=True)
    top_is_evidence = bool(found) and evidence is not None and bool(cr.result_ids(found[0]) & evidence)
    return {"query": query, "answerable": evidence is not None, "top_is_evidence": top_is_evidence,
            "cos1": cosines[0] if cosines else 0.0, "median50": statistics.median(cosines) if cosines else 0.0,
            "score1": found[0]["score"] if found else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json")
    ap.add_argument("--embedder", help="JSON embedder config (default: Memory()'s)")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {"db": f"{folder}/db"}}}
        if args.embedder:
            config["embedder"] = json.loads(args.embedder)
        with Memory(config) as memory:
            for lang in ("zh", "en"):
                for pair in store_pairs(lang):
                    user = f"{lang}-{pair[0].stem}"
                    convs = [json.loads(p.read_text("utf-8")) for p in pair]
                    for conv in convs:
                        cr.add_conversation(memory, user, conv)
                    as_of = cr.asked_time(convs[-1]["asked_at"])
                    for conv in convs:
                        for q in conv["qa"]:
                            if len(q.get("evidence", [])) == 1:
                                rows.append({"lang": lang, **probe(memory, user, q["question"], as_of,
                                                                   set(q["evidence"]))})
                    for query in OFF_TOPIC[lang]:
                        rows.append({"lang": lang, **probe(memory, user, query, as_of, None)})
    for answerable in (True, False):
        chosen = [r for r in rows if r["answerable"] == answerable]
        for key in ("cos1", "median50", "score1"):
            values = sorted(r[key] for r in chosen)
            if values:
                print("answerable" if answerable else "off-topic ", key,
                      [round(values[int(q * (len(values) - 1))], 3) for q in (0.05, 0.25, 0.5, 0.75, 0.95)])
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
