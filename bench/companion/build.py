#!/usr/bin/env python3
"""Builds the companion-chat data set (zh/*.json, en/*.json) from the hand-written bilingual sources.

Each source file in source/ holds one conversation in both languages, line by line, so the Chinese
conversation and its English twin cannot drift apart (same turns, same dia_ids, same questions):

    id: zh-hant-01                    the conversation's file stem
    script: Hant | Hans               Traditional (Taiwan usage) or Simplified characters
    user: 佳穎 | Jiaying               the user's name in Chinese | in the English twin
    companion: 小光 | Lumi             the AI companion's name
    asked_at: 2024-03-02 21:00        when the questions are asked (relative cues are read against it)
    == 2023-06-10 20:30               a session starts, with its date and time
    U[label]: 中文 || English          a user turn; [label] is optional, questions name it as evidence
    A: 中文 || English                 a companion turn
    ? category | label,label | 問題 || question | 答案 || answer

Labels become dia_ids (D<session>:<turn>) here, so no annotator counts turns by hand.
Output: LOCOMO's layout (speaker_a/b, session_N, session_N_date_time "8:30 pm on 10 June, 2023", qa),
plus "language", "script", "asked_at"; a question's "category" is one of CATEGORIES.

    python bench/companion/build.py        # rewrites zh/*.json and en/*.json
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CATEGORIES = ("single-hop", "multi-hop", "temporal", "paraphrase")
_TURN = re.compile(r"([UA])(?:\[([\w-]+)\])?:\s*(.+?)\s*\|\|\s*(.+)")


def locomo_date(stamp: str) -> str:
    """'2023-06-10 20:30' -> '8:30 pm on 10 June, 2023' (LOCOMO's session date form)."""
    when = datetime.strptime(stamp, "%Y-%m-%d %H:%M")
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B}, {when.year}"


def split_pair(text: str, where: str) -> tuple[str, str]:
    zh, sep, en = text.partition("||")
    if not sep or not zh.strip() or not en.strip():
        raise SystemExit(f"{where}: expected 'Chinese || English'")
    return zh.strip(), en.strip()


class Source:
    """One parsed source file: header fields, sessions of turns (both languages), labels, questions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.head: dict[str, str] = {}
        self.sessions: list[tuple[str, list[dict[str, str]]]] = []
        self.labels: dict[str, str] = {}
        self.questions: list[dict[str, Any]] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                self.read_line(line.strip(), f"{path.name}:{number}")

    def read_line(self, line: str, where: str) -> None:
        if line.startswith("=="):
            self.sessions.append((line[2:].strip(), []))
        elif line.startswith("?"):
            self.read_question(line[1:], where)
        elif match := _TURN.fullmatch(line):
            self.read_turn(match, where)
        elif ":" in line and not self.sessions:
            key, _, value = line.partition(":")
            self.head[key.strip()] = value.strip()
        else:
            raise SystemExit(f"{where}: cannot read {line!r}")

    def read_turn(self, match: re.Match[str], where: str) -> None:
        if not self.sessions:
            raise SystemExit(f"{where}: a turn before the first session")
        who, label, zh, en = match.groups()
        turns = self.sessions[-1][1]
        dia_id = f"D{len(self.sessions)}:{len(turns) + 1}"
        if label:
            if label in self.labels:
                raise SystemExit(f"{where}: label {label!r} used twice")
            self.labels[label] = dia_id
        turns.append({"who": who, "dia_id": dia_id, "zh": zh, "en": en})

    def read_question(self, text: str, where: str) -> None:
        parts = [p.strip() for p in text.split("|")]
        parts = [p for p in parts if p]  # '||' splits into an empty part: the pairs are rejoined below
        if len(parts) != 6 or parts[0] not in CATEGORIES:
            raise SystemExit(f"{where}: expected '? category | labels | 問題 || question | 答案 || answer'")
        self.questions.append({"category": parts[0], "labels": parts[1].split(","), "where": where,
                               "zh": (parts[2], parts[4]), "en": (parts[3], parts[5])})

    def name(self, key: str, lang: str) -> str:
        zh, en = split_pair(self.head[key].replace("|", "||", 1), f"{self.path.name}: {key}")
        return zh if lang == "zh" else en

    def evidence(self, question: dict[str, Any]) -> list[str]:
        missing = [label for label in question["labels"] if label not in self.labels]
        if missing:
            raise SystemExit(f"{question['where']}: unknown labels {missing}")
        return [self.labels[label] for label in question["labels"]]

    def conversation(self, lang: str) -> dict[str, Any]:
        speakers = {"U": self.name("user", lang), "A": self.name("companion", lang)}
        out: dict[str, Any] = {"speaker_a": speakers["U"], "speaker_b": speakers["A"], "language": lang,
                               "script": self.head["script"] if lang == "zh" else "Latn",
                               "asked_at": self.head["asked_at"]}
        for number, (stamp, turns) in enumerate(self.sessions, 1):
            out[f"session_{number}_date_time"] = locomo_date(stamp)
            out[f"session_{number}"] = [{"speaker": speakers[t["who"]], "dia_id": t["dia_id"], "text": t[lang]}
                                        for t in turns]
        out["qa"] = [{"question": q[lang][0], "answer": q[lang][1], "evidence": self.evidence(q),
                      "category": q["category"]} for q in self.questions]
        return out


def main() -> None:
    for path in sorted((HERE / "source").glob("*.txt")):
        source = Source(path)
        for lang in ("zh", "en"):
            target = HERE / lang / f"{source.head['id']}.json"
            target.write_text(json.dumps(source.conversation(lang), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
        turns = sum(len(t) for _, t in source.sessions)
        print(f"{source.head['id']}: {len(source.sessions)} sessions, {turns} turns, {len(source.questions)} questions")


if __name__ == "__main__":
    main()
