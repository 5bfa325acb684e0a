"""memory.graph(): the networkx view of a scope, its attributes and time travel; and the Jupyter display of
search results and graphs (offline: the JavaScript is inlined from the vendored file)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from graph_support import BEFORE_MOVE, USER, known_store

from graphmem import Memory, ValidationError
from graphmem.cli_commands import DEMO_CONVERSATION
from graphmem.ui.display import VENDORED, show_graph, show_results


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    with known_store(tmp_path_factory.mktemp("view") / "db") as memory:
        yield memory


def relates(graph: object) -> set[tuple[str, str, str, str]]:
    return {(d["source"], d["type"], d["target"], d["fact"]) for *_, d in graph.edges(data=True)  # type: ignore[attr-defined]
            if d["label"] == "RELATES"}


def test_the_demo_conversation_graph_has_what_get_all_reports(memory: Memory) -> None:
    memory.add(DEMO_CONVERSATION, user_id="alex")
    everything = memory.get_all(user_id="alex")
    graph = memory.graph(user_id="alex")
    assert relates(graph) == {(r["source"], r["relationship"], r["target"], r["fact"]) for r in everything["relations"]}
    entities = {a["name"]: a for _, a in graph.nodes(data=True) if a["kind"] == "entity"}
    named = {r[k] for r in everything["relations"] for k in ("source", "target")}
    assert named <= set(entities) and {"John", "Sarah", "OpenAI", "Berlin"} <= set(entities)
    assert entities["John"]["type"] == "person" and entities["John"]["user_id"] == "alex"
    assert "embedding" not in entities["John"]
    memories = {n: a for n, a in graph.nodes(data=True) if a["kind"] == "memory"}
    assert {a["text"] for a in memories.values()} == {r["memory"] for r in everything["results"]}
    some = next(iter(memories))
    kinds = {graph.nodes[target]["kind"]: label for _, target, label in graph.out_edges(some, data="label")}
    assert kinds["episode"] == "DERIVED_FROM" and kinds["entity"] == "MENTIONS"
    edge = next(d for *_, d in graph.edges(data=True) if d["label"] == "RELATES")
    assert {"valid_at", "invalid_at", "memory_id", "created_at"} <= set(edge)
    assert graph.nodes[edge["memory_id"]]["kind"] == "memory"
    with_vectors = memory.graph(user_id="alex", include=("entities",), embeddings=True)
    assert {a["kind"] for _, a in with_vectors.nodes(data=True)} == {"entity"}
    assert len(with_vectors.nodes[next(iter(with_vectors))]["embedding"]) > 0


def test_as_of_draws_what_held_then(known: Memory) -> None:
    now, then = known.graph(user_id=USER), known.graph(user_id=USER, as_of=BEFORE_MOVE)
    assert ("alex", "lives_in", "Berlin", "alex lives in Berlin") in relates(now)
    assert not any(r[2] == "Paris" for r in relates(now))
    assert ("alex", "lives_in", "Paris", "alex lives in Paris") in relates(then)
    assert not any(r[2] == "Berlin" for r in relates(then))
    texts = {a.get("text") for _, a in then.nodes(data=True)}
    assert "alex lives in Paris" in texts and "alex lives in Berlin" not in texts
    names = {a.get("name") for _, a in then.nodes(data=True)}
    assert "Paris" in names and "Berlin" not in names and "pepperoni pizza" not in names  # named only later
    same = known.graph(user_id=USER, as_of=datetime(2023, 6, 1, tzinfo=timezone.utc))
    assert relates(same) == relates(then)
    history = known.graph(user_id=USER, include=("entities", "history"))
    ended = [r for *_, r in history.edges(data=True) if r["invalid_at"]]
    assert [(r["target"], r["invalid_at"][:10]) for r in ended] == [("Paris", "2024-01-15")]


def test_bad_arguments_name_the_field(known: Memory) -> None:
    for options, field in [({"include": "entities"}, "include"), ({"include": ("people",)}, "include"),
                           ({"as_of": "not a time"}, "as_of"), ({}, "user_id")]:
        with pytest.raises(ValidationError) as error:
            known.graph(**({"user_id": USER} if field != "user_id" else {}), **options)
        assert error.value.field == field


def test_search_results_display_as_a_table(known: Memory) -> None:
    found = known.search("Where does alex live?", user_id=USER, limit=3)
    view = show_results(found)
    bundle = view._repr_mimebundle_()
    html = bundle["text/html"]
    assert html.count("<tr>") >= 4 and "alex lives in Berlin" in html and "lives_in" in html
    assert found["results"][0]["created_at"][:10] in html
    assert "alex lives in Berlin" in bundle["text/plain"]
    hostile = {"results": [{"memory": "<script>alert(1)</script>", "score": 1}]}
    assert "<script" not in show_results(hostile)._repr_html_()


def test_a_graph_displays_offline_with_the_vendored_library(known: Memory) -> None:
    view = show_graph(known.graph(user_id=USER))
    html = view._repr_html_()
    assert "<script src" not in html and "<link" not in html  # nothing is fetched: the library is inline
    assert VENDORED.read_text("utf-8")[-2000:].replace("</script", "<\\/script") in html
    assert '"lives_in"' in html and "alex lives in Berlin" in html
    assert view._repr_mimebundle_()["text/plain"].startswith("graphmem graph: ")
    assert (VENDORED.parent / "cytoscape.LICENSE").read_text("utf-8").startswith("Copyright")
