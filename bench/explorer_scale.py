#!/usr/bin/env python3
"""The explorer page with a big scope: load and layout times in headless Chromium (Debian's, via Playwright).

A synthetic scope (default 5,000 entities, 2 relations and ~0.5 memories per entity, one relation in ten
superseded) is written with `Memory.import_` (the hash embedder: vectors play no part here) into a Kuzu store
in a temporary directory, then served by the explorer on 127.0.0.1. Measured, in the page (performance.now):

- load: from navigation start to the first drawn view (the page has fetched the scope's whole graph, api/graph);
- api/graph: the same request timed alone (server side: the scope read + elements, and the JSON);
- api/search: a search request alone (explain on: every signal's share);
- search: a query, its results, the first one's details and the graph around it drawn;
- expand: a click on an entity (its neighbours join the view);
- slider: moving the as-of slider (the view filtered again, search re-run);
- whole graph: every element drawn (grid layout past 600 elements; cose below).

    python bench/explorer_scale.py                   # 5,000 entities
    python bench/explorer_scale.py --entities 1000 --json explorer.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from explorer_support import CHROMIUM, CHROMIUM_ARGS, serving

from graphmem import Memory

USER = "big"
WORDS = ("river", "violin", "garden", "chess", "pottery", "marathon", "physics", "bakery", "harbour", "poetry")


def synthetic(entities: int, seed: int = 7) -> dict[str, Any]:
    """A snapshot of `entities` entities, 2 relations each, a memory per 2 entities (mentioning 2-4)."""
    rng = random.Random(seed)
    stamp = lambda day: f"2023-{1 + day // 28:02d}-{1 + day % 28:02d}T09:00:00.000000+00:00"  # noqa: E731
    ents = [{"id": str(uuid.uuid4()), "name": f"{rng.choice(WORDS)} {i}", "type": "thing", "user_id": USER,
             "created_at": stamp(0), "updated_at": stamp(0), "mentions": 0, "mention_ids": [], "aliases": []}
            for i in range(entities)]
    memories, mentions, relations = [], [], []
    for i in range(entities // 2):
        named = rng.sample(ents, rng.randint(2, 4))
        day = rng.randrange(300)
        text = f"memory {i}: " + " and ".join(e["name"] for e in named)
        mid = str(uuid.uuid4())
        memories.append({"id": mid, "text": text, "hash": uuid.uuid4().hex, "metadata": "{}", "user_id": USER,
                         "created_at": stamp(day), "valid_at": stamp(day), "episode_ids": [],
                         "entity_ids": [e["id"] for e in named]})
        mentions += [{"memory_id": mid, "entity_id": e["id"]} for e in named]
        for a, b in itertools.pairwise(named):
            ended = stamp(day + 10) if rng.random() < 0.1 and day < 280 else None
            relations.append({"id": str(uuid.uuid4()), "source_id": a["id"], "target_id": b["id"], "type": "near",
                              "fact": text, "valid_at": stamp(day), "invalid_at": ended, "created_at": stamp(day),
                              "memory_id": mid})
    return {"format": "graphmem-graph", "version": 1, "scope": {"user_id": USER}, "memories": memories,
            "entities": ents, "episodes": [], "relations": relations, "mentions": mentions, "derived_from": [],
            "events": []}


def timed(page: Any, action: str) -> float:
    """Milliseconds from running `action` (JS) to the page's next drawn view."""
    return float(page.evaluate("""async (action) => {
        const before = window.explorer.renders, t0 = performance.now();
        (0, eval)(action);
        while (window.explorer.renders === before) await new Promise((r) => setTimeout(r, 5));
        return performance.now() - t0; }""", action))


def measure(url: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The page's Content-Security-Policy forbids eval, which the timing snippets below run through.
        page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        page.goto(f"{url}?user_id={USER}")
        page.wait_for_function("window.explorer && window.explorer.renders >= 1", timeout=300_000)
        found: dict[str, float] = {"load_ms": page.evaluate("performance.now()")}
        found["api_graph_ms"] = page.evaluate(f"""async () => {{ const t0 = performance.now();
            await (await fetch('api/graph?user_id={USER}')).json(); return performance.now() - t0; }}""")
        found["api_search_ms"] = page.evaluate(f"""async () => {{ const t0 = performance.now();
            await (await fetch('api/search?q=violin+garden&user_id={USER}')).json();
            return performance.now() - t0; }}""")
        found["search_ms"] = timed(page, "document.querySelector('#query').value = 'violin garden';"
                                         "document.querySelector('#search-button').click()")
        found["expand_ms"] = timed(page, "const n = window.explorer.cy.nodes(\"[kind = 'entity']\")[0];"
                                         "n.emit('tap')")
        found["slider_ms"] = timed(page, "const s = document.querySelector('#asof');"
                                         "s.value = Date.parse('2023-06-01'); s.dispatchEvent(new Event('input'))")
        found["whole_graph_ms"] = timed(page, "document.querySelector('#show-all').click()")
        found["drawn_elements"] = page.evaluate("window.explorer.cy.elements().length")
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="graphmem-explorer-bench-"))
    snapshot = synthetic(args.entities)
    with Memory({"graph_store": {"provider": "kuzu", "config": {"db": str(folder / "db")}},
                 "embedder": {"provider": "hash"}}) as memory:
        started = time.perf_counter()
        memory.import_(snapshot)
        imported = time.perf_counter() - started
    with serving(folder / "db") as url:
        found = measure(url)
    found.update(entities=args.entities, memories=len(snapshot["memories"]), relations=len(snapshot["relations"]),
                 import_s=round(imported, 2))
    for key, value in found.items():
        print(f"{key:>16}: {value:.0f}" if isinstance(value, float) else f"{key:>16}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(found, indent=1), "utf-8")


if __name__ == "__main__":
    main()
