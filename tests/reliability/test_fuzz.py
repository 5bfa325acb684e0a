"""Hostile input: random JSON-ish values (and a few worse ones) into every public method of Memory. Each call
either answers or raises one of graphmem's own exceptions (GraphMemError), and a refused call writes nothing."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmem import Memory
from graphmem.errors import GraphMemError

sys.path.insert(0, str(Path(__file__).parent))
from invariants import CHECKS

# Examples per method: 100 in CI; GRAPHMEM_FUZZ_EXAMPLES=2000 for the long run (bench/RESULTS.md).
EXAMPLES = int(os.environ.get("GRAPHMEM_FUZZ_EXAMPLES", "100"))
# Methods that take no unknown keywords (Python itself would refuse them with a TypeError, before graphmem).
FIXED = ("get", "history", "delete", "update", "delete_all", "entity_neighbourhood", "paths_between",
         "entity_timeline", "what_was_true", "entities", "graph_summary", "sources")
OPEN = ("add", "search", "get_all")  # these take mem0's extra keywords and refuse unknown ones themselves


class Deep(dict[str, Any]):
    """A filter nested `depth` levels, with a short repr (printing it whole would exceed the recursion limit)."""

    def __repr__(self) -> str:
        return "Deep(...)"


def nested(depth: int) -> Any:
    value: Any = {"topic": "x"}
    for _ in range(depth):
        value = {"AND": [value]}
    return Deep(value)


HOSTILE = st.sampled_from([
    nested(5_000), {1: "a"}, {"topic": {}}, {"metadata": {"a": {"b": {}}}}, b"bytes", object(), float("nan"),
    float("inf"), 10 ** 30, -1, "", " ", "\x00", "x" * 120_000, [[[[]]]], {"user_id": {"in": []}},
    {"OR": []}, {"AND": "x"}, {"NOT": [1]}, {"$and": [{"user_id": "u"}]}, ["u"], ("u",), {"u"},
    # lone surrogates (what a JSON "\ud800" escape decodes to): no store or model takes them
    "I like \ud800 tea", {"topic": "\udfff"}, {"\ud800": 1}, [{"role": "user", "content": "hi \udc00"}],
])
SCOPE_IDS = st.sampled_from(["u", "v", "u/agent", "' OR 1=1 --", "MATCH (n) DETACH DELETE n", "u\ud800"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30) | SCOPE_IDS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | SCOPE_IDS, inner, max_size=4),
    max_leaves=12,
)
VALUES = JSON | HOSTILE | SCOPE_IDS


def parameters(method: Callable[..., Any]) -> tuple[list[str], list[str]]:
    """(positional parameter names, keyword-only names) of a Memory method."""
    found = inspect.signature(method).parameters.values()
    positional = [p.name for p in found if p.kind == p.POSITIONAL_OR_KEYWORD]
    keywords = [p.name for p in found if p.kind == p.KEYWORD_ONLY]
    return positional, keywords


@st.composite
def calls(draw: st.DrawFn, name: str) -> tuple[list[Any], dict[str, Any]]:
    positional, keywords = parameters(getattr(Memory, name))
    positional = positional[1:]  # self
    required = [p for p in positional
                if inspect.signature(getattr(Memory, name)).parameters[p].default is inspect.Parameter.empty]
    count = draw(st.integers(len(required), len(positional)))
    args = [draw(VALUES) for _ in range(count)]
    chosen = draw(st.lists(st.sampled_from(keywords), unique=True, max_size=len(keywords))) if keywords else []
    kwargs = {key: draw(SCOPE_IDS if key.endswith("_id") and draw(st.booleans()) else VALUES) for key in chosen}
    if name in OPEN and draw(st.integers(0, 4)) == 0:
        kwargs[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    return args, kwargs


@pytest.fixture(scope="module")
def shared() -> Iterator[Memory]:
    with Memory({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}},
                 "embedder": {"provider": "hash"}}) as memory:
        memory.add("Alice met Bob in Paris", user_id="u", infer=False)
        yield memory


def counts(memory: Memory) -> tuple[int, int]:
    """Nodes and edges in the store: a refused call must change neither."""
    backend: Any = memory._async.backend
    rows = memory._run(backend._run(lambda: backend._execute(
        "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS edges")))
    return rows[0]["nodes"], rows[0]["edges"]


@pytest.mark.parametrize("name", OPEN + FIXED)
def test_random_input_gets_an_answer_or_a_typed_error(shared: Memory, name: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(call=calls(name))
    def one(call: tuple[list[Any], dict[str, Any]]) -> None:
        args, kwargs = call
        before = counts(shared)
        try:
            getattr(shared, name)(*args, **kwargs)
        except GraphMemError:
            assert counts(shared) == before, "a refused call wrote something"

    one()
    backend: Any = shared._async.backend
    for check, query in CHECKS.items():
        assert shared._run(backend._run(lambda q=query: backend._execute(q))) == [], check


CONFIG_KEYS = st.sampled_from(["search", "embedder", "extractor", "max_message_chars", "version",
                               "custom_fact_extraction_prompt", "reranker", "nonsense"])
SECTIONS = st.fixed_dictionaries({}, optional={
    "provider": st.sampled_from(["hash", "local", "offline", "nope", 3]) | JSON,
    "config": JSON, "weights": st.dictionaries(st.sampled_from(["vector", "keyword", "graph", "vectr"]), JSON),
    "hops": JSON, "linker": st.sampled_from(["fast", "spacy", "other"]) | JSON})


@settings(max_examples=EXAMPLES, deadline=None)
@given(config=st.dictionaries(CONFIG_KEYS, SECTIONS | VALUES, max_size=4))
def test_random_configs_are_taken_or_refused_with_a_config_error(config: dict[str, Any]) -> None:
    config = {**config, "graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}}}
    with contextlib.suppress(GraphMemError):  # a typed refusal is fine; anything else fails the test
        Memory(config).close()


LONE = "\ud800"


@pytest.mark.parametrize(("field", "call"), [
    ("messages", lambda m: m.add(f"I like {LONE} tea", user_id="u", infer=False)),
    ("messages", lambda m: m.add(f"I like {LONE} tea", user_id="u")),
    ("messages", lambda m: m.add([{"role": "user", "content": "hi", "name": f"Bo{LONE}"}], user_id="u")),
    ("user_id", lambda m: m.add("hello", user_id=f"u{LONE}", infer=False)),
    ("user_id", lambda m: m.get_all(user_id=f"u{LONE}")),
    ("user_id", lambda m: m.search("tea", filters={"user_id": f"u{LONE}"})),
    ("metadata", lambda m: m.add("hello", user_id="u", infer=False, metadata={"k": f"v{LONE}"})),
    ("metadata", lambda m: m.add("hello", user_id="u", infer=False, metadata={f"k{LONE}": "v"})),
    ("query", lambda m: m.search(f"tea {LONE}", user_id="u")),
    ("memory_id", lambda m: m.get(f"id{LONE}")),
    ("memory_id", lambda m: m.delete(f"id{LONE}")),
    ("memory_id", lambda m: m.history(f"id{LONE}")),
])
def test_a_lone_surrogate_is_refused_naming_the_field(shared: Memory, field: str,
                                                       call: Callable[[Memory], Any]) -> None:
    """Half of a UTF-16 pair (a JSON "\\ud800" escape decodes to one) is no text a store or a model takes:
    it had surfaced as pydantic's, Python's or Kuzu's own error, depending on where it went."""
    from graphmem.errors import ValidationError

    before = counts(shared)
    with pytest.raises(ValidationError) as caught:
        call(shared)
    assert caught.value.field == field
    assert counts(shared) == before
