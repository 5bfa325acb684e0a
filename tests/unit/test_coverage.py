"""search/coverage: the keyword weight of one search by how much of the query the scope's words cover."""

from datetime import datetime, timezone

from graphmem.config import SearchConfig
from graphmem.search.coverage import by_coverage, coverage_text
from graphmem.search.when import time_window

NOW = datetime(2024, 1, 10, tzinfo=timezone.utc)


def test_the_keyword_weight_is_scaled_and_nothing_else() -> None:
    config = SearchConfig()
    scaled = by_coverage(config, 0.5)
    assert scaled.weights["keyword"] == config.weights["keyword"] * 0.5
    assert {k: v for k, v in scaled.weights.items() if k != "keyword"} == \
        {k: v for k, v in config.weights.items() if k != "keyword"}
    assert config.weights == SearchConfig().weights  # the retriever's own config is left as it was
    assert by_coverage(config, 0.0).weights["keyword"] == 0.0


def test_full_unknown_or_switched_off_coverage_keeps_the_config() -> None:
    config = SearchConfig()
    assert by_coverage(config, 1.0) is config
    assert by_coverage(config, None) is config  # a Bolt store cannot tell
    off = SearchConfig(keyword_coverage=False)
    assert by_coverage(off, 0.2) is off
    no_keyword = SearchConfig(weights={"keyword": 0.0})
    assert by_coverage(no_keyword, 0.2).weights["keyword"] == 0.0
    only_keyword = SearchConfig(weights={name: 0.0 for name in config.weights if name != "keyword"})
    assert by_coverage(only_keyword, 0.0) is only_keyword  # the search would have no signal left


def test_the_time_cue_does_not_count_towards_coverage() -> None:
    dated = "What did Maria paint on October 13, 2023?"
    assert coverage_text(dated, time_window(dated, NOW)).split() == ["What", "did", "Maria", "paint", "on", "?"]
    assert coverage_text("What did Maria paint?", time_window("What did Maria paint?", NOW)) == "What did Maria paint?"
