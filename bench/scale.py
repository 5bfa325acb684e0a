#!/usr/bin/env python3
"""Scale: graphmem on Kuzu with scopes of 1k, 10k and 100k memories, against the embedder's own floor.

One on-disk database holds a scope per size (1k, 10k, 100k memories: the first N of the same texts), plus an
"other" scope of 1k memories, so that scoping matters. Texts are synthetic, seeded conversational sentences
(names, places, activities, foods, dates, numbers), all distinct.

Per size: add throughput (batches of 64 messages per `add`, infer=False) and search p50/p95 ms over 200
varied queries (limit 10; the query-embedding cache is off, so every search embeds); RSS and the database's
size once, after the searches.
The searches are interleaved: each query is searched in every scope, in an order that rotates per query, right
after one embedding of it by graphmem's own query embedder alone (the Memory's: multilingual-e5-small by
default). This machine's speed drifts by tens of percent over minutes, so timing one size after another compared
the sizes' minutes as much as the sizes. At the end, the embedder's floor: the same texts embedded `--batch` at a
time, and each query alone.

    python bench/scale.py                      # 1k, 10k, 100k
    python bench/scale.py --quick              # 1k, 5k
    python bench/scale.py --sizes 1000,20000 --json scale.json
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from typing import Any

from common import (
    disk_mb,
    embed_in_batches,
    graphmem_memory,
    pct,
    print_table,
    ratio,
    rss_mb,
    set_threads,
    workdir,
    write_json,
)


def _split(text: str, sep: str = " ") -> list[str]:
    return text.split(sep)


NAMES = _split("Maya Omar Lena Diego Priya Tom Aisha Jonas Sofia Kenji Chloe Mateo Nadia Liam Yara Felix Grace Ravi "
               "Ingrid Samuel Hana Lucas Zoe Tariq Elena Noah Amara Viktor Isla Hugo Mira Caleb Leila Arjun Freya "
               "Pablo Keiko Daniel Rosa Emeka Clara Idris Anya Marco Sienna Theo Farah Oscar Jade Mikhail")
PLACES = _split("the farmers market|the climbing gym|Riverside Park|the public library|the community garden|"
                "the harbor|the old bakery on Elm Street|the yoga studio|the night market|the botanical garden|"
                "the jazz bar|the ice rink|the bookstore downtown|the museum of modern art|the lake trail|"
                "the dog park|the rooftop cafe|the swimming pool|the pottery studio|the train station", "|")
CITIES = _split("Lisbon|Kyoto|Denver|Nairobi|Oslo|Montreal|Seville|Hanoi|Edinburgh|Cape Town|Buenos Aires|"
                "Vancouver|Prague|Marrakesh|Reykjavik|Seoul|Tucson|Bologna|Perth|Istanbul", "|")
ACTIVITIES = _split("hiking|bouldering|kayaking|painting watercolors|learning the cello|baking sourdough|running|"
                    "birdwatching|playing chess|salsa dancing|knitting|cycling|surfing|gardening|writing poetry|"
                    "doing pottery|photographing street art|volunteering at the shelter|studying Japanese|"
                    "restoring an old motorbike|playing five-a-side football|camping|skiing|practicing archery", "|")
FOODS = _split("ramen|tacos al pastor|mushroom risotto|pad thai|lemon tart|falafel wraps|sushi|vegetable curry|"
               "wood-fired pizza|pho|empanadas|cheese fondue|dumplings|paella|banana bread|shakshuka|lasagna|"
               "bibimbap|fish and chips|chocolate souffle|jollof rice|pierogi|ceviche|kimchi stew", "|")
RELATIVES = _split("sister brother mother father cousin grandmother uncle aunt niece nephew")
PETS = _split("puppy kitten parrot rabbit tortoise hamster")
EVENTS = _split("dentist appointment|job interview|piano recital|book club meeting|half marathon|wedding rehearsal|"
                "team offsite|art exhibition opening|parent-teacher meeting|driving test", "|")
MONTHS = _split("January February March April May June July August September October November December")
DAYS = _split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
FEELINGS = _split("thrilled exhausted nervous proud relieved grateful frustrated curious")

TEMPLATES = (
    "{n}: I went {a} at {p} with {n2} on {d}.",
    "{n}: We had {f} near {p} last {wd}, and it cost about {k} dollars.",
    "{n}: My {r} is visiting from {c} between {d} and {d2}.",
    "{n}: I've been {a} for {y} years now and I still feel {fe} about it.",
    "{n}: {n2} recommended a place in {c} that makes the best {f}.",
    "{n}: I ran {k} kilometers around {p} this morning before work.",
    "{n}: My {e} is on {d} at {h} o'clock, please remind me the day before.",
    "{n}: We adopted a {pet} called {pn} back in {m} {yr}.",
    "{n}: {n2} and I are planning a trip to {c} in {m} to go {a}.",
    "{n}: I cooked {f} for {k} people on {wd} and nobody left any.",
    "{n}: I felt {fe} after my {e} on {d}.",
    "{n}: My {r} started {a} in {c} and sends photos every {wd}.",
    "{n}: I lost my keys at {p} on {d}; {n2} found them {k} minutes later.",
    "{n}: I signed up for a {k}-week course on {a} starting {d}.",
    "{n}: Our {pet} {pn} got sick after eating {f}, so we saw the vet on {wd}.",
)
QUERIES = (
    "What did {n} do at {p}?", "When is {n}'s {e}?", "Who went {a} with {n}?", "Where is {n} travelling in {m}?",
    "How far did {n} run this morning?", "What is the name of {n}'s {pet}?", "What food did {n2} recommend in {c}?",
    "How long has {n} been {a}?", "Which relative of {n} is visiting from {c}?", "What did {n} cook on {wd}?",
    "How did {n} feel after the {e}?", "Who found {n}'s keys?", "What course did {n} sign up for?",
    "best {f} in {c}", "{a} plans in {m}", "Why did {n} take the {pet} to the vet?",
)


class Generator:
    """Seeded, distinct conversational sentences and questions about the same world."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def _date(self) -> str:
        return f"{self.rng.choice(MONTHS)} {self.rng.randint(1, 28)}, {self.rng.randint(2019, 2026)}"

    def _fill(self, template: str) -> str:
        r = self.rng
        n, n2 = r.sample(NAMES, 2)
        return template.format(
            n=n, n2=n2, p=r.choice(PLACES), c=r.choice(CITIES), a=r.choice(ACTIVITIES), f=r.choice(FOODS),
            r=r.choice(RELATIVES), pet=r.choice(PETS), pn=r.choice(NAMES), e=r.choice(EVENTS), m=r.choice(MONTHS),
            wd=r.choice(DAYS), fe=r.choice(FEELINGS), d=self._date(), d2=self._date(), k=r.randint(2, 90),
            y=r.randint(1, 30), yr=r.randint(2010, 2026), h=r.randint(7, 19))

    def texts(self, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            text = self._fill(self.rng.choice(TEMPLATES))
            if text not in self.seen:
                self.seen.add(text)
                out.append(text)
        return out

    def queries(self, n: int) -> list[str]:
        return [self._fill(QUERIES[i % len(QUERIES)]) for i in range(n)]


def add_batches(memory: Any, texts: list[str], user: str, batch: int) -> tuple[float, list[float]]:
    """Seconds to add all texts in calls of `batch` messages, and each call's ms."""
    calls: list[float] = []
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        t0 = time.perf_counter()
        memory.add([{"role": "user", "content": t} for t in texts[i:i + batch]], user_id=user, infer=False)
        calls.append((time.perf_counter() - t0) * 1000)
        if len(calls) % 100 == 0:
            print(f"    {user}: {i + batch}/{len(texts)} added, {time.perf_counter() - start:.0f}s", file=sys.stderr)
    return time.perf_counter() - start, calls


def embed_query_ms(memory: Any, query: str) -> float:
    """One embedding of `query` by the Memory's own query embedder, alone (ms). A benchmark-only reach into the
    facade: the floor a search is compared with is the embedder it runs, on the loop it runs on."""
    t0 = time.perf_counter()
    memory._run(memory._async.embedder.embed_query(query))
    return (time.perf_counter() - t0) * 1000


def time_interleaved(memory: Any, queries: list[str], users: list[str], limit: int, floor_of: Any = None
                     ) -> tuple[dict[str, list[float]], dict[str, list[int]], dict[str, int], list[float]]:
    """Per scope: each search's ms, its number of results and how many came from another scope (should be 0);
    and the embedder's own single-query ms on each query right before its searches. Each query is searched in
    every scope, the order rotating per query, so that the machine's drift over minutes falls on every size
    alike and no size always runs first."""
    ms: dict[str, list[float]] = {user: [] for user in users}
    counts: dict[str, list[int]] = {user: [] for user in users}
    foreign = dict.fromkeys(users, 0)
    floor: list[float] = []
    for i, q in enumerate(queries):
        if floor_of is not None:
            floor.append(embed_query_ms(floor_of, q))
        turn = i % len(users)
        for user in users[turn:] + users[:turn]:
            t0 = time.perf_counter()
            out = memory.search(q, user_id=user, limit=limit)
            ms[user].append((time.perf_counter() - t0) * 1000)
            counts[user].append(len(out["results"]))
            foreign[user] += sum(r.get("user_id") != user for r in out["results"])
    return ms, counts, foreign, floor


def loaded_vectors(memory: Any, user: str) -> Any:
    """The scope's in-RAM vectors (graphmem.inprocess.vectors.ScopeVectors). A benchmark-only reach into the
    Kuzu backend's cache: the index's recall against the exact scan has no public surface."""
    from graphmem.scope import Scope

    cache = memory._async.backend._scopes
    with cache.lock:
        loaded = cache.get("memory", Scope(user_id=user))
    return None if loaded is None else loaded._vectors


def index_catch_up(memory: Any, user: str) -> tuple[bool, float]:
    """Wait until the approximate index (if the scope has one) holds every row: whether there is one, seconds."""
    vectors = loaded_vectors(memory, user)
    t0 = time.perf_counter()
    has_index = bool(vectors is not None and vectors.wait_for_index())
    return has_index, time.perf_counter() - t0


def ann_recall(memory: Any, user: str, query_vectors: Any, ks: tuple[int, ...] = (10, 50)) -> dict[str, float]:
    """Share of the exact scan's top k that the search path's `top` (HNSW + exact re-scoring) returns, by id,
    and counting ties: a returned row scoring at least the exact k-th score is a correct top-k member
    (hash vectors, small integer counts scaled, tie often; the exact scan breaks ties by row order)."""
    vectors = loaded_vectors(memory, user)
    recall: dict[str, float] = {}
    for k in ks:
        by_id = by_score = 0
        for q in query_vectors:
            exact = vectors.exact_top(q.tolist(), k)
            found = vectors.top(q.tolist(), k)
            by_id += len({r["id"] for r in exact} & {r["id"] for r in found})
            by_score += sum(r["similarity"] >= exact[-1]["similarity"] - 1e-6 for r in found[:len(exact)])
        recall[f"ann_recall_at_{k}"] = round(by_id / (k * len(query_vectors)), 4)
        recall[f"ann_recall_ties_at_{k}"] = round(by_score / (k * len(query_vectors)), 4)
    return recall


def stored_space_queries(filler: Any, queries: list[str]) -> Any:
    """The queries embedded as queries by the filling Memory's embedder (the model's, or the hash one): the
    vectors its searches ask the index with, in the stored rows' space."""
    import numpy as np

    embedder = filler._async.embedder
    return np.asarray([filler._run(embedder.embed_query(q)) for q in queries], dtype=np.float32)


def embedder_floor(memory: Any, texts: list[str], queries: list[str], batch: int) -> dict[str, Any]:
    """The Memory's own embedder alone: the texts embedded `batch` at a time (as an add of `batch` messages
    embeds them), and each query alone."""
    embed_in_batches(memory, queries[:8], batch)  # warm-up
    batched_s = embed_in_batches(memory, texts, batch)
    single = [embed_query_ms(memory, q) for q in queries]
    return {"texts": len(texts), "batched_texts_per_s": round(len(texts) / batched_s, 1),
            "single_query_ms_p50": round(pct(single, 50), 2), "single_query_ms_p95": round(pct(single, 95), 2)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated memory counts of the scope")
    ap.add_argument("--quick", action="store_true", help="sizes 1000,5000")
    ap.add_argument("--other", type=int, default=1000, help="memories in the second scope")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64, help="messages per add call (and encode batch)")
    ap.add_argument("--limit", type=int, default=10, help="search limit")
    ap.add_argument("--floor-texts", type=int, default=5000, help="texts encoded for the floor (0 = all)")
    ap.add_argument("--fill", choices=["model", "hash"], default="model",
                    help="hash: stored texts are embedded by the hash embedder (100k in minutes on a busy machine) "
                         "while searches still embed each query with the model, through a second Memory on the "
                         "same store; ANN recall is then measured with hash-embedded queries (the stored space)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", help="Kuzu directory to create (default: a temp directory, removed at the end)")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    set_threads(args.threads)

    sizes = sorted({int(s) for s in ("1000,5000" if args.quick else args.sizes).split(",") if s.strip()})
    gen = Generator(args.seed)
    other_texts = gen.texts(args.other)
    texts = gen.texts(sizes[-1])
    queries = gen.queries(args.queries)
    warm = gen.queries(5)
    tmp = workdir("bench-scale-")
    db = args.db or f"{tmp}/kuzu"
    # Query-embedding cache off: the 200 queries repeat at every size and must be embedded each time.
    config = {"graph_store": {"provider": "kuzu", "config": {"db": db}},
              "embedder": {"provider": "local", "config": {"cache_size": 0}}}
    print(f"scale: sizes {sizes}, other scope {args.other}, {len(queries)} queries, batch {args.batch}, db {db}")
    memory = graphmem_memory(config, tmp)
    # The store's vectors, the index and the engine's work are the same whichever embedder filled it; only the
    # search's own query embedding must be the model's, so that its constant cost is in every timed search.
    filler = memory if args.fill == "model" else graphmem_memory(
        {**config, "embedder": {"provider": "hash", "config": {"embedding_dims": 384}}}, tmp)
    query_vectors = stored_space_queries(filler, queries)  # ANN recall is read in the stored vectors' space
    users = {size: f"scale-{size}" for size in sizes}
    filled: dict[int, dict[str, Any]] = {}
    try:
        other_s, _ = add_batches(filler, other_texts, "scale-other", args.batch)
        print(f"  other scope: {args.other} memories in {other_s:.1f}s", file=sys.stderr)
        add_s_total = 0.0
        for size in sizes:  # each size its own scope, holding the first `size` texts
            add_s, calls = add_batches(filler, texts[:size], users[size], args.batch)
            add_s_total += add_s
            for opened in dict.fromkeys([memory, filler]):
                time_interleaved(opened, warm, [users[size]], args.limit)  # warm-up, not timed (loads the scope)
            has_index, catch_up_s = index_catch_up(memory, users[size])
            filled[size] = {"size": size, "add_turns_per_s": round(size / add_s, 1),
                            "add_call_ms_p50": round(pct(calls, 50), 1), "add_call_ms_p95": round(pct(calls, 95), 1),
                            "add_call_ms_max": round(max(calls), 1),  # a checkpoint lands on one call (add_stalls.py)
                            "ann_index": has_index, "index_catch_up_s": round(catch_up_s, 1),
                            **(ann_recall(memory, users[size], query_vectors) if has_index else {})}
            print(f"  {size} filled: {filled[size]}", file=sys.stderr)
        scopes = [users[size] for size in sizes]
        ms, counts, foreign, floor_ms = time_interleaved(memory, queries, scopes, args.limit, memory)
        # The engine alone: the same searches through the filler, whose hash query embedding costs ~0.1 ms.
        engine_ms = time_interleaved(filler, queries, scopes, args.limit)[0] if filler is not memory else {}
        rows = [{**filled[size],
                 "search_ms_p50": round(pct(ms[user], 50), 2), "search_ms_p95": round(pct(ms[user], 95), 2),
                 "search_ms_mean": round(sum(ms[user]) / len(ms[user]), 2),
                 **({"engine_ms_p50": round(pct(engine_ms[user], 50), 2),
                     "engine_ms_p95": round(pct(engine_ms[user], 95), 2)} if engine_ms else {}),
                 "embed_query_ms_p50": round(pct(floor_ms, 50), 2), "embed_query_ms_p95": round(pct(floor_ms, 95), 2),
                 "mean_results": round(sum(counts[user]) / len(counts[user]), 2), "foreign_results": foreign[user]}
                for size, user in users.items()]
        for row in rows:
            print(f"  {row['size']}: {row}", file=sys.stderr)
        process = {**rss_mb(), "db_mb": disk_mb(db)}
        floor = embedder_floor(memory, texts[: args.floor_texts] if args.floor_texts else texts, queries, args.batch)
        add_rate = round(sum(sizes) / add_s_total, 1)
    finally:
        closing = time.perf_counter()
        for opened in dict.fromkeys([filler, memory]):
            opened.close()  # waited for: a big store saves its indexes and vectors beside it (tens of seconds)
        print(f"  closed in {time.perf_counter() - closing:.1f}s", file=sys.stderr)
    if not args.db:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\ngraphmem on Kuzu, a scope per size (+ an 'other' scope of {args.other} memories); searches "
          "interleaved across the scopes")
    print_table(["memories", "add turns/s", "add call p50 ms", "p95 ms", "max ms", "search p50 ms", "p95 ms",
                 "engine p50 ms", "p95 ms", "embed 1 query p50 ms", "results", "other-scope hits", "ANN",
                 "ANN recall@10", "@50", "with ties @10", "@50"],
                [[r["size"], r["add_turns_per_s"], r["add_call_ms_p50"], r["add_call_ms_p95"], r["add_call_ms_max"],
                  r["search_ms_p50"],
                  r["search_ms_p95"], r.get("engine_ms_p50", "-"), r.get("engine_ms_p95", "-"),
                  r["embed_query_ms_p50"], r["mean_results"], r["foreign_results"], r["ann_index"],
                  *(f"{r[key]:.3f}" if key in r else "-" for key in ("ann_recall_at_10", "ann_recall_at_50",
                                                                     "ann_recall_ties_at_10", "ann_recall_ties_at_50"))]
                 for r in rows], 1)
    print(f"process after the searches: RSS {process.get('VmRSS')} MiB, peak {process.get('VmHWM')} MiB; "
          f"database {process['db_mb']} MiB")
    print(f"\ngraphmem's embedder alone ({memory.config.embedder.provider}): {floor['batched_texts_per_s']} texts/s "
          f"batched ({floor['texts']} texts, {args.batch} a call); single query p50 {floor['single_query_ms_p50']} ms, "
          f"p95 {floor['single_query_ms_p95']} ms")

    by_size = {r["size"]: r for r in rows}
    mid = 10_000 if 10_000 in by_size else min(by_size, key=lambda s: abs(s - 10_000))
    ratios = {
        f"search_p50_at_{mid}_over_embed_query_p50": ratio(by_size[mid]["search_ms_p50"],
                                                           by_size[mid]["embed_query_ms_p50"]),
        f"search_p50_at_{mid}_over_embed_query_p50_at_end": ratio(by_size[mid]["search_ms_p50"],
                                                                  floor["single_query_ms_p50"]),
        f"search_p95_at_{sizes[-1]}_over_p95_at_{sizes[0]}": ratio(by_size[sizes[-1]]["search_ms_p95"],
                                                                   by_size[sizes[0]]["search_ms_p95"]),
    }
    if args.fill == "model":  # (a hash-filled store's add rate says nothing about the model's)
        ratios["add_rate_over_embed_batched_rate"] = ratio(add_rate, floor["batched_texts_per_s"])
    if "engine_ms_p95" in by_size[sizes[0]]:
        ratios[f"engine_p95_at_{sizes[-1]}_over_p95_at_{sizes[0]}"] = ratio(by_size[sizes[-1]]["engine_ms_p95"],
                                                                            by_size[sizes[0]]["engine_ms_p95"])
    print(f"\nratios (graphmem add rate over all sizes: {add_rate} turns/s)")
    print_table(["ratio", "value"], list(ratios.items()))
    summary = {"benchmark": "scale", "fill": args.fill, "sizes": sizes, "other_scope": args.other,
               "queries": len(queries), "batch": args.batch, "limit": args.limit, "seed": args.seed, "rows": rows,
               "process": process, "interleaved": True,
               "add_turns_per_s_overall": add_rate, "embedder_floor": floor, "ratios": ratios}
    write_json(args.json, summary)
    return summary


if __name__ == "__main__":
    main()
