"""search/coverage on every backend: on Kuzu, a query with a word no memory of the scope holds leans less on its
keyword ranking (its in-process index counts the words); the Bolt stores keep the configured weight (their
`keyword_coverage` is None: counting would cost a scan of the scope per search, and on ArcadeDB it measured flat,
bench/RESULTS.md session 15)."""

from __future__ import annotations

from graphmem import Memory

TURNS = [
    "Ben: I repainted the hallway last spring",
    "Ben: The kitchen renovation finally finished with new tiles",
    *[f"{who}: The weather on day {i} was mild and grey" for i in range(6) for who in ("Ben", "Nora")],
]


def fused(mem: Memory, query: str, coverage: bool) -> dict[str, float]:
    mem.config.search.keyword_coverage = coverage
    results = mem.search(query, user_id="u", limit=20, explain=True)["results"]
    return {r["memory"]: float(r["explain"]["fused"]) for r in results}


def test_a_word_no_memory_holds_lowers_the_keyword_weight(mem: Memory) -> None:
    mem.add([{"role": "user", "content": t} for t in TURNS], user_id="u", infer=False)
    whole = "Which hallway renovation?"  # every telling word is the scope's
    assert fused(mem, whole, True) == fused(mem, whole, False)
    missing = "Which hallway makeover?"  # "makeover" is in no memory
    on, off = fused(mem, missing, True), fused(mem, missing, False)
    if mem.config.graph_store.provider != "kuzu":
        assert on == off
    else:
        # Only the hallway memory holds a query word: against it, the memories the keyword ranking left out
        # count for more.
        assert all(on[t] / on[TURNS[0]] > off[t] / off[TURNS[0]] for t in TURNS[1:] if t in off)
