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

    python bench/companion/build.py          # rewrites zh/*.json and en/*.json
    python bench/companion/build.py --check  # the JSON matches the sources; the categories' rules hold
"""

from __future__ import annotations

import json
import re
import sys
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


# Words a paraphrase question may share with its evidence: function words and the speaker's "I".
_STOP_EN = frozenset("""a an and are as at be been by can could did do does for from had has have he her his how i
in is it its me my now of on or our she should that the their they this to us was we were what when where which
who why will with would you your""".split())
_STOP_ZH = frozenset("我 的 了 是 在 什么 什麼 怎么 怎麼 吗 嗎 呢 我们 我們 有 和 跟 也 都 就 还 還 它 牠 他 她 你 "
                     "现在 現在 这 這 那 哪 个 個 一".split())


def content_words(text: str, lang: str) -> set[str]:
    """Content words: jieba tokens for Chinese, 5-letter stems for English, stop words left out."""
    if lang == "en":
        return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 and w not in _STOP_EN}
    import jieba

    return {w for w in jieba.lcut(text) if re.search(r"\w", w) and w not in _STOP_ZH}


def problems(conv: dict[str, Any], lang: str) -> list[str]:
    """Broken category rules: multi-hop evidence within one session, paraphrases sharing a word."""
    turns = {t["dia_id"]: t["text"] for key, value in conv.items() if key.startswith("session_")
             and isinstance(value, list) for t in value}
    out = []
    for q in conv["qa"]:
        if q["category"] == "multi-hop" and len({e.split(":")[0] for e in q["evidence"]}) < 2:
            out.append(f"multi-hop within one session: {q['question']}")
        if q["category"] == "paraphrase":
            shared = set().union(*(content_words(q["question"], lang) & content_words(turns[e], lang)
                                   for e in q["evidence"]))
            if shared:
                out.append(f"paraphrase shares {sorted(shared)}: {q['question']}")
    return out


def main() -> None:
    check = "--check" in sys.argv[1:]
    failed = False
    for path in sorted((HERE / "source").glob("*.txt")):
        source = Source(path)
        for lang in ("zh", "en"):
            target = HERE / lang / f"{source.head['id']}.json"
            conv = source.conversation(lang)
            text = json.dumps(conv, ensure_ascii=False, indent=1) + "\n"
            if not check:
                target.write_text(text, encoding="utf-8")
                continue
            found = problems(conv, lang)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                found.append("out of date: run build.py")
            for problem in found:
                print(f"{target.relative_to(HERE)}: {problem}")
            failed = failed or bool(found)
        turns = sum(len(t) for _, t in source.sessions)
        print(f"{source.head['id']}: {len(source.sessions)} sessions, {turns} turns, {len(source.questions)} questions")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
