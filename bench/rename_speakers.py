#!/usr/bin/env python3
"""A copy of LOCOMO-format conversations with their two speakers renamed: does recall depend on who talks?

Every whole-word use of a speaker's name is replaced (turns, captions, questions, answers, the speaker fields),
evidence ids and image addresses are kept. Nicknames ("Nors" for Nora) are not known, and stay. Two name sets:
`ordinary` (names that are only names) and `words` (names that are also English words or a month: Hope, Will,
May, Art...), which the keyword, time and speaker readings must tell apart from the words.

    python bench/rename_speakers.py --data ../shared/data/locomo-dev --out /tmp/ren/locomo --names words
    GRAPHMEM_DIR=$(mktemp -d) python ../shared/bench/locomo_recall.py --system graphmem --data /tmp/ren/locomo
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

# Each conversation's two speakers take the next two names of the list, in file order, from `--offset` (bench/
# RESULTS.md's runs: offset 0 for LOCOMO dev, 6 for bench/chats).
NAMES = {
    "ordinary": ["Olivia", "Megan", "Peter", "Anita", "Robert", "Julia", "Rachel", "Tom", "Anita", "Derek", "Pedro",
                 "Clara", "Simon", "Nadia", "Victor", "Helen", "Omar", "Ingrid", "Felix", "Lucia", "Damian"],
    "words": ["Grace", "Sam", "Tim", "Joy", "Will", "Rose", "Hope", "Max", "Ivy", "Dave", "Art", "May", "Faith",
              "Bill", "Summer", "Frank", "Sky", "Mark", "Dawn", "Pat"],
}
KEPT = ("evidence", "dia_id", "img_url")  # ids and addresses, not text


def renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in names.items():
            value = re.sub(rf"\b{re.escape(old)}\b", new, value)
        return value
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    if isinstance(value, dict):
        return {k: v if k in KEPT else renamed(v, names) for k, v in value.items()}
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a folder of LOCOMO-format conversations (*.json)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--names", choices=sorted(NAMES), default="ordinary")
    ap.add_argument("--offset", type=int, default=0, help="where in the name list the first conversation starts")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pool = iter(NAMES[args.names][args.offset:])
    for path in sorted(Path(args.data).glob("*.json")):
        conv = json.loads(path.read_text("utf-8"))
        names = {conv["speaker_a"]: next(pool), conv["speaker_b"]: next(pool)}
        text = json.dumps(conv, ensure_ascii=False)
        # A name the conversation already uses would merge two people (the word set clashes with words: its point)
        clashes = [new for new in names.values() if args.names == "ordinary" and re.search(rf"\b{new}\b", text)]
        if clashes:
            raise SystemExit(f"{path.name} already says {clashes}: pick other names (--offset)")
        (out / path.name).write_text(json.dumps(renamed(conv, names), ensure_ascii=False), "utf-8")
        print(path.name, names)


if __name__ == "__main__":
    main()
