#!/usr/bin/env python3
"""Companion-chat evidence recall: graphmem on the Chinese conversations of bench/companion and their English twin.

Each conversation gets a fresh `Memory` on its own temporary Kuzu directory. Every turn is added as
graphmem's LOCOMO benchmark adds it (one `add` per turn, infer=False, metadata {"dia_id", "session"}),
as a message {"role": "user"|"assistant", "content": text, "name": speaker} with `timestamp=` its
session's date. Every question is then searched (limit 10) with `as_of=` the conversation's `asked_at`,
so relative cues ("上個月", "last March") are read against the day the question is asked, not today.

Reported per language and question category (single-hop, multi-hop, temporal, paraphrase) and overall:
  R@5, R@10   share of the question's evidence dia_ids among the top k results' metadata["dia_id"]
  ctx@10      words of context at 10 (top-10 memories + returned relations' source, relationship,
              target, fact); a CJK character counts as 1/1.5 word (a Chinese word averages ~1.5
              characters), every other run of letters/digits as one word
  search p50  ms per search; add turns/s

    python bench/companion_recall.py --lang both
    python bench/companion_recall.py --lang zh --json zh.json \
        --embedder '{"provider": "local", "config": {"model": "all-MiniLM-L6-v2"}}'
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from common import graphmem_memory, pct, print_table, set_threads, workdir, write_json

KS = (5, 10)
CATEGORIES = ("single-hop", "multi-hop", "temporal", "paraphrase")
DATA = Path(__file__).parent / "companion"
_SESSION = re.compile(r"session_(\d+)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_NON_CJK_WORD = re.compile(r"[^\W\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
CJK_CHARS_PER_WORD = 1.5


def words(text: str) -> float:
    """Words of a text in any script: runs of Latin letters/digits, plus CJK characters / 1.5."""
    return len(_NON_CJK_WORD.findall(text)) + len(_CJK.findall(text)) / CJK_CHARS_PER_WORD


def context_words(result: dict[str, Any], k: int = 10) -> float:
    n = sum(words(str(r.get("memory", ""))) for r in result.get("results", [])[:k])
    for rel in result.get("relations") or []:
        n += words(" ".join(str(rel.get(f) or "") for f in ("source", "relationship", "target", "fact")))
    return n


def session_time(text: str) -> datetime:
    """LOCOMO's session date ('8:30 pm on 10 June, 2023'), taken as UTC (the day is what matters)."""
    return datetime.strptime(text, "%I:%M %p on %d %B, %Y").replace(tzinfo=timezone.utc)


def asked_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def sessions(conv: dict[str, Any]) -> list[tuple[str, datetime, list[dict[str, str]]]]:
    numbers = sorted(int(m.group(1)) for key in conv if (m := _SESSION.fullmatch(key)))
    return [(f"session_{n}", session_time(conv[f"session_{n}_date_time"]), conv[f"session_{n}"]) for n in numbers]


def add_conversation(memory: Any, user: str, conv: dict[str, Any]) -> int:
    """Adds every turn, one `add` per turn, with its session's date; returns the number of turns."""
    n = 0
    for key, when, turns in sessions(conv):
        for turn in turns:
            role = "user" if turn["speaker"] == conv["speaker_a"] else "assistant"
            message = {"role": role, "content": turn["text"], "name": turn["speaker"]}
            memory.add([message], user_id=user, metadata={"dia_id": turn["dia_id"], "session": key},
                       infer=False, timestamp=when)
            n += 1
    return n


def result_ids(item: dict[str, Any]) -> set[str]:
    value = (item.get("metadata") or {}).get("dia_id") or []
    return {value} if isinstance(value, str) else set(value)


class Tally:
    """Recall per category at each k, context words, search times and add rate over a run."""

    def __init__(self) -> None:
        self.recall: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.by_conversation: dict[str, list[float]] = defaultdict(list)  # R@10 per question
        self.misses: list[dict[str, Any]] = []  # questions with evidence outside the top 10, to read
        self.ctx: list[float] = []
        self.search_ms: list[float] = []
        self.add_s = 0.0
        self.turns = 0

    def score(self, conv: str, question: dict[str, Any], result: dict[str, Any]) -> None:
        category, evidence = question["category"], set(question["evidence"])
        hits = [result_ids(r) for r in result.get("results", [])]
        for k in KS:
            found = set().union(*hits[:k])
            for cat in (category, "all"):
                self.recall[cat][k].append(len(evidence & found) / len(evidence))
        self.by_conversation[conv].append(self.recall["all"][max(KS)][-1])
        if self.by_conversation[conv][-1] < 1:
            self.misses.append({"conversation": conv, "category": category, "question": question["question"],
                                "evidence": sorted(evidence), "top10": [sorted(h) for h in hits[:max(KS)]]})
        self.ctx.append(context_words(result))

    def summary(self) -> dict[str, Any]:
        order = [c for c in (*CATEGORIES, "all") if c in self.recall]
        return {
            "recall": {c: {"n": len(self.recall[c][KS[0]]),
                           **{f"R@{k}": round(sum(v) / len(v), 4) for k, v in sorted(self.recall[c].items())}}
                       for c in order},
            "r10_by_conversation": {c: round(sum(v) / len(v), 4) for c, v in self.by_conversation.items()},
            "misses_at_10": self.misses,
            "ctx_words_at_10": round(sum(self.ctx) / len(self.ctx), 1) if self.ctx else None,
            "search_ms_p50": round(pct(self.search_ms, 50), 2),
            "search_ms_p95": round(pct(self.search_ms, 95), 2),
            "add_turns_per_s": round(self.turns / self.add_s, 1) if self.add_s else None,
            "turns": self.turns,
            "questions": len(self.search_ms),
        }


def run_conversation(path: Path, config: dict[str, Any] | None, tally: Tally) -> None:
    conv = json.loads(path.read_text(encoding="utf-8"))
    tmp = workdir(f"bench-companion-{path.stem}-")
    memory = graphmem_memory(config, tmp)
    try:
        t0 = time.perf_counter()
        tally.turns += add_conversation(memory, path.stem, conv)
        tally.add_s += time.perf_counter() - t0
        as_of = asked_time(conv["asked_at"])
        for q in conv["qa"]:
            t1 = time.perf_counter()
            result = memory.search(q["question"], user_id=path.stem, limit=max(KS), as_of=as_of)
            tally.search_ms.append((time.perf_counter() - t1) * 1000)
            tally.score(path.stem, q, result)
        print(f"  {path.parent.name}/{path.stem}: {len(conv['qa'])} questions in "
              f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    finally:
        memory.close()
        shutil.rmtree(tmp, ignore_errors=True)


def run_language(lang: str, data: Path, config: dict[str, Any] | None, limit: int) -> dict[str, Any]:
    paths = sorted((data / lang).glob("*.json"))
    if not paths:
        raise SystemExit(f"no conversations in {data / lang}")
    tally = Tally()
    for path in paths[:limit or None]:
        run_conversation(path, config, tally)
    return {"conversations": [p.stem for p in paths[:limit or None]], **tally.summary()}


def print_report(results: dict[str, dict[str, Any]]) -> None:
    rows: list[list[Any]] = []
    for lang, res in results.items():
        for cat, rec in res["recall"].items():
            rows.append([lang, cat, rec["n"], *(rec.get(f"R@{k}") for k in KS)])
    print("\nEvidence recall (share of evidence turns in the top k)")
    print_table(["lang", "category", "n", *(f"R@{k}" for k in KS)], rows)
    keys = ("ctx_words_at_10", "search_ms_p50", "search_ms_p95", "add_turns_per_s")
    print("\nContext, latency and add rate")
    print_table(["lang", "ctx words@10", "search p50 ms", "search p95 ms", "add turns/s"],
                [[lang, *(res[k] for k in keys)] for lang, res in results.items()], 2)


def code_state() -> dict[str, Any]:
    """The commit and whether graphmem's code differs from it, when the run starts (a shared tree moves)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(DATA), *args], capture_output=True, text=True,
                              check=False).stdout.strip()

    changed = git("status", "--porcelain", "--", "../../graphmem", "../../cypher").splitlines()
    return {"commit_at_start": git("rev-parse", "--short", "HEAD") or None, "uncommitted_code_files": len(changed)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    ap.add_argument("--embedder", help='embedder config JSON, e.g. \'{"provider": "hash"}\' (default: Memory()\'s)')
    ap.add_argument("--config", help="JSON file with a graphmem config (a temporary Kuzu store is added)")
    ap.add_argument("--limit", type=int, default=0, help="first N conversations per language, 0 = all")
    ap.add_argument("--data", default=str(DATA), help="directory holding zh/ and en/")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    set_threads(args.threads)

    config: dict[str, Any] | None = json.loads(Path(args.config).read_text()) if args.config else None
    if args.embedder:
        config = {**(config or {}), "embedder": json.loads(args.embedder)}
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    state = code_state()
    results = {lang: run_language(lang, Path(args.data), config, args.limit) for lang in langs}
    print_report(results)
    summary = {"benchmark": "companion-evidence-recall", "data": args.data, "config": config,
               "as_of": "asked_at", **state, "ctx_cjk_chars_per_word": CJK_CHARS_PER_WORD, "languages": results}
    write_json(args.json, summary)
    return summary


if __name__ == "__main__":
    main()
