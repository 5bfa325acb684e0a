#!/usr/bin/env python3
"""Fusion weights judged by leave-one-conversation-out, on LOCOMO and on the companion chats.

Each conversation is added once (infer=False, one add per turn, as bench/locomo.py and
bench/companion_recall.py do); then every weight setting of the grid searches all its questions
(query embeddings are cached, so a setting costs only the search). For each held-out conversation
the setting that ranks best on the OTHER conversations of its data set is scored on it: the
held-out figure is what a weight choice is worth on a conversation it was not chosen on.

    python bench/tune_weights.py --locomo ../shared/data/locomo-dev --companion bench/companion --json out.json
    python bench/tune_weights.py --grid 'vector=0.6,1,1.5 keyword=0.5,1'  # the grid, signal=values ...
    python bench/tune_weights.py --chats bench/chats ...  # our own LOCOMO-style conversations, a family of their own
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import load_locomo

from graphmem import Memory
from graphmem.config import SearchConfig

DEFAULT_GRID = "vector=0.6,1,1.5,2 keyword=0.5,1 feedback=0,0.5"


def grid(spec: str) -> list[dict[str, float]]:
    """Every combination of the axes; an axis that is not a signal's weight is a SearchConfig field
    (e.g. question_weight=0.5,1 judges the "questions count less" heuristic on held-out folds)."""
    base = SearchConfig().weights
    axes = [(name, [float(v) for v in values.split(",")])
            for name, values in (part.split("=") for part in spec.split())]
    return [{**base, **dict(zip([n for n, _ in axes], combo, strict=True))}
            for combo in itertools.product(*[values for _, values in axes])]


def locomo_items(data: str, times: bool = False,
                 family: str = "locomo") -> list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """LOCOMO's turns as bench/locomo.py adds them; with `times`, each with its session's date as `timestamp`
    (as the companion chats are added), so that a memory's said time tells its session apart. `family` names
    the data set (bench/chats is in LOCOMO's format: `--chats`)."""
    from companion_recall import session_time

    items = []
    for conv in load_locomo(data):
        adds = [{"text": t.text, "metadata": t.metadata(),
                 "timestamp": session_time(t.date) if times and t.date else None} for t in conv.turns]
        questions = [{"q": q["question"], "evidence": set(q["evidence"]), "as_of": None,
                      "category": str(q["category"])} for q in conv.qa if q.get("evidence")]
        items.append((f"{family}-{conv.conv_id}", adds, questions))
    return items


def third_person(question: str, user: str, other: str, lang: str) -> str:
    """A companion question asked about the user by name ("What is my cat's name?" -> "What is Jiaying's cat's
    name?"), as a question about a speaker of a conversation is asked (LOCOMO's are)."""
    if lang == "zh":
        both = f"{user}和{other}"
        return question.replace("我們", both).replace("我们", both).replace("我", user)
    for pattern, said in ((r"\bdo I\b", f"does {user}"), (r"\bam I\b", f"is {user}"), (r"\bhave I\b", f"has {user}"),
                          (r"\bI(?: am|'m)\b", f"{user} is"), (r"\bI've\b", f"{user} has"),
                          (r"\bI'd\b", f"{user} would"), (r"\b(?:[Mm]y|[Mm]ine)\b", f"{user}'s"),
                          (r"\b(?:I|me|myself)\b", user), (r"\b(?:[Ww]e|us)\b", f"{user} and {other}"),
                          (r"\b[Oo]ur\b", f"{user} and {other}'s")):
        question = re.sub(pattern, said, question)
    return question


def companion_items(folder: str, third: bool = False) -> list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """The companion chats as bench/companion_recall.py adds and asks them (role by speaker, session dates);
    with `third`, the questions asked about the user by name (`third_person`)."""
    import companion_recall as cr

    items = []
    for lang in ("zh", "en"):
        for path in sorted((Path(folder) / lang).glob("*.json")):
            conv = json.loads(path.read_text("utf-8"))
            adds = [{"messages": [{"role": "user" if t["speaker"] == conv["speaker_a"] else "assistant",
                                   "content": t["text"], "name": t["speaker"]}],
                     "metadata": {"dia_id": t["dia_id"], "session": key}, "timestamp": when}
                    for key, when, turns in cr.sessions(conv) for t in turns]
            as_of = cr.asked_time(conv["asked_at"])
            questions = [{"q": third_person(q["question"], conv["speaker_a"], conv["speaker_b"], lang) if third
                          else q["question"], "evidence": set(q["evidence"]), "as_of": as_of,
                          "category": q["category"]} for q in conv["qa"] if q.get("evidence")]
            items.append((f"{lang}-{path.stem}", adds, questions))
    return items


def recall_table(memory: Memory, user: str, questions: list[dict[str, Any]],
                 settings: list[dict[str, float]]) -> list[dict[str, float]]:
    rows = []
    defaults = SearchConfig()
    for setting in settings:
        weights = {k: v for k, v in setting.items() if k in defaults.weights}
        memory.config.search.weights.clear()
        memory.config.search.weights.update(weights)
        for knob in setting.keys() - weights.keys():
            value = setting[knob]
            setattr(memory.config.search, knob, type(getattr(defaults, knob))(value))
        r5, r10 = [], []
        by_category: dict[str, list[float]] = defaultdict(list)
        for q in questions:
            found = memory.search(q["q"], user_id=user, limit=10, as_of=q["as_of"])["results"]
            ids = [set(_ids(r)) for r in found]
            for k, bucket in ((5, r5), (10, r10)):
                got = set().union(*ids[:k]) if ids[:k] else set()
                bucket.append(len(q["evidence"] & got) / len(q["evidence"]))
            by_category[f"{q['category']}@5"].append(r5[-1])
            by_category[f"{q['category']}@10"].append(r10[-1])
        rows.append({"R@5": statistics.mean(r5), "R@10": statistics.mean(r10), "n": len(questions),
                     "categories": {c: (statistics.mean(v), len(v)) for c, v in by_category.items()},
                     "per_question": {"R@5": r5, "R@10": r10, "category": [str(q["category"]) for q in questions]}})
    return rows


def _ids(result: dict[str, Any]) -> list[str]:
    value = (result.get("metadata") or {}).get("dia_id") or []
    return [value] if isinstance(value, str) else list(value)


def held_out(scores: dict[str, list[dict[str, float]]], family: list[str]) -> dict[str, Any]:
    """For each conversation of a family, the setting best on the others, scored on it."""
    result = {}
    for conv in family:
        others = [c for c in family if c != conv]
        if not others:
            continue
        n = len(scores[conv])
        chosen = max(range(n), key=lambda i: sum(scores[c][i]["R@10"] * scores[c][i]["n"] for c in others))
        result[conv] = {"setting": chosen, **scores[conv][chosen]}
    return result


def is_default(setting: dict[str, float]) -> bool:
    """Whether a setting is the shipped configuration (every weight and knob at its default)."""
    defaults = SearchConfig()
    return all(defaults.weights.get(k, getattr(defaults, k, None)) == v for k, v in setting.items())


def pooled(rows: list[dict[str, Any]], categories: tuple[str, ...], k: int) -> float | None:
    """Recall at k over every question of these categories in these rows (weighted by question count)."""
    cells = [r["categories"][f"{c}@{k}"] for r in rows for c in categories if f"{c}@{k}" in r["categories"]]
    n = sum(count for _, count in cells)
    return sum(mean * count for mean, count in cells) / n if n else None


LOCOMO_COLUMNS = {"1-4": ("1", "2", "3", "4"), "multi-hop": ("1",), "temporal": ("2",), "open-domain": ("3",),
                  "single-hop": ("4",)}


def dev_beside_held_out(scores: dict[str, list[dict[str, float]]], report: dict[str, Any],
                        settings: list[dict[str, float]]) -> list[list[Any]]:
    """Per family: the default weights scored on every conversation (dev: they were tuned there) beside
    each conversation scored with the setting chosen on the others (held-out), R@5 and R@10 per category."""
    default = next((i for i, setting in enumerate(settings) if is_default(setting)), None)
    lines = []
    for family, chosen in report["held_out"].items():
        names = sorted(chosen)
        columns = LOCOMO_COLUMNS if family == "locomo" else {"all": tuple(sorted({c.split("@")[0] for n in names
                                                                                 for c in scores[n][0]["categories"]}))}
        folds = {"held-out": [scores[n][chosen[n]["setting"]] for n in names]}
        if default is not None:
            folds = {"dev (default weights)": [scores[n][default] for n in names], **folds}
        lines.append([family, "fold", "k", *columns])
        for fold, rows in folds.items():
            for k in (5, 10):
                cells = [pooled(rows, cats, k) for cats in columns.values()]
                lines.append([family, fold, f"R@{k}", *(f"{c:.3f}" if c is not None else "-" for c in cells)])
    return lines


def interval(values: list[float], rounds: int = 4000, seed: int = 1) -> tuple[float, float]:
    """The mean's 95% interval by resampling the questions (a proxy set of 250 questions reads R@5 within about
    ±.05: a difference of .02 between two sets is not a finding)."""
    pick = random.Random(seed).choice
    means = sorted(sum(pick(values) for _ in values) / len(values) for _ in range(rounds))
    return means[int(rounds * .025)], means[int(rounds * .975) - 1]


def default_intervals(scores: dict[str, list[dict[str, Any]]], families: dict[str, list[str]],
                      settings: list[dict[str, float]]) -> list[str]:
    """Per family, the shipped setting's R@5 and R@10 over categories 1-4 with their 95% intervals."""
    default = next((i for i, setting in enumerate(settings) if is_default(setting)), None)
    lines = []
    for family, names in families.items() if default is not None else ():
        asked = [scores[n][default]["per_question"] for n in names]
        cells = []
        for k in ("R@5", "R@10"):
            values = [v for q in asked for v, c in zip(q[k], q["category"], strict=True)
                      if family != "locomo" or c in LOCOMO_COLUMNS["1-4"]]
            low, high = interval(values)
            cells.append(f"{k} {statistics.mean(values):.3f} [{low:.3f}, {high:.3f}]")
        lines.append(f"{family} (default weights, 95% interval over {len(values)} questions): " + ", ".join(cells))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--locomo")
    ap.add_argument("--companion")
    ap.add_argument("--chats", help="conversations in LOCOMO's format judged as a data set of their own (bench/chats)")
    ap.add_argument("--grid", default=DEFAULT_GRID)
    ap.add_argument("--locomo-times", action="store_true",
                    help="add LOCOMO turns with their session's date as timestamp (default: the time of the add)")
    ap.add_argument("--third-person", action="store_true",
                    help="ask the companion questions about the user by name (a question about a speaker)")
    ap.add_argument("--embedder", help="JSON embedder config (default: Memory()'s)")
    ap.add_argument("--store", help="a folder to keep the added conversations in: a later run with the same folder "
                                    "(and the same data and options) searches them without adding again")
    ap.add_argument("--json")
    args = ap.parse_args()
    settings = grid(args.grid)
    items = (locomo_items(args.locomo, args.locomo_times) if args.locomo else []) + \
        (locomo_items(args.chats, args.locomo_times, "chats") if args.chats else []) + \
        (companion_items(args.companion, args.third_person) if args.companion else [])
    scores: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.store or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {"graph_store": {"provider": "kuzu", "config": {"db": f"{folder}/db"}}}
        if args.embedder:
            config["embedder"] = json.loads(args.embedder)
        with Memory(config) as memory:
            for name, adds, questions in items:
                added = folder / f"{name}.added"  # written once a conversation's adds are all in
                if not added.exists():
                    memory.delete_all(user_id=name)  # a run stopped half-way through this conversation
                    for add in adds:
                        memory.add(add["messages"] if "messages" in add else add["text"], user_id=name,
                                   metadata=add["metadata"], infer=False, timestamp=add["timestamp"])
                    added.write_text(str(len(adds)))
                scores[name] = recall_table(memory, name, questions, settings)
                print(f"{name}: {len(adds)} turns, {len(questions)} questions", file=sys.stderr)
    families: dict[str, list[str]] = defaultdict(list)
    for name in scores:
        families[name.split("-")[0]].append(name)
    report = {"settings": settings, "scores": scores,
              "held_out": {family: held_out(scores, names) for family, names in families.items()}}
    for i, weights in enumerate(settings):
        cells = " ".join(f"{f}={statistics.mean(scores[c][i]['R@10'] for c in names):.3f}"
                         for f, names in families.items())
        print(i, {k: v for k, v in weights.items() if k in args.grid}, cells)
    for family, rows in report["held_out"].items():
        if rows:
            print(family, "held-out R@10", round(statistics.mean(r["R@10"] for r in rows.values()), 3),
                  "R@5", round(statistics.mean(r["R@5"] for r in rows.values()), 3),
                  {c: r["setting"] for c, r in rows.items()})
    for line in dev_beside_held_out(scores, report, settings):
        print(" | ".join(str(cell) for cell in line))
    print("\n".join(default_intervals(scores, families, settings)))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
