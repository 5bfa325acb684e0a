"""The keyword signal weighed by how much of the query the scope's words cover.

A question asked in the conversation's own words ("What did Ben find under the wallpaper?") is ranked well by
BM25. One asked in other words ("What is Caroline's identity?", "How did Ben's career change?") has telling
terms that no memory of the scope holds; BM25 then ranks by what is left (a name, "change"), which says little
and outvotes the vector in the fusion. So the keyword weight of one search is multiplied by the share of the
query's telling terms (in at most half the scope's memories, or in none) that the scope holds at all
(`GraphBackend.keyword_coverage`). The query's time cue is left out of that share: dates ("October 13, 2023")
are when a message was said, rarely in its words, and the time signal reads them.

Measured on four data sets, default config otherwise (bench/RESULTS.md, session 15): chats, zh and en
companion chats rose, LOCOMO dev held. The feedback signal (also keyword) keeps its weight: scaling it too
cost the chats and zh. The Bolt stores keep the configured weight: counting the words there is a scan of the
scope per search, and on ArcadeDB (whose keyword search matches crude stems) it measured flat.
"""

from __future__ import annotations

from graphmem.config import SearchConfig
from graphmem.search.when import Window


def coverage_text(query: str, window: Window | None) -> str:
    """The words whose coverage counts: the query without its time cue (`window`, search/when.time_window's)."""
    return query.replace(window.cue, " ") if window is not None and window.cue else query


def by_coverage(config: SearchConfig, coverage: float | None) -> SearchConfig:
    """The search's config with the keyword weight times `coverage` (unchanged when None or off, and when keyword
    is the only signal weighed: the search would have none left)."""
    if coverage is None or coverage >= 1.0 or not config.keyword_coverage or "keyword" not in config.weights:
        return config
    if not any(weight > 0 for signal, weight in config.weights.items() if signal != "keyword"):
        return config
    weights = {**config.weights, "keyword": config.weights["keyword"] * coverage}
    return config.model_copy(update={"weights": weights})
