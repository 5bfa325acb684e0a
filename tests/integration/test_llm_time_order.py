"""Adds out of time order (`add(timestamp=...)` importing older messages): the later-said fact holds.
Real Kuzu, the openai SDK, the scripted LLMServer on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from llm_support import entity, fact, llm_config, llm_memory, relation

from graphmem import Memory
from graphmem.search.when import iso_utc
from graphmem.testing.llm_server import LLMServer

UTC = timezone.utc
SAID_2021 = datetime(2021, 1, 1, tzinfo=UTC)
SAID_2022 = datetime(2022, 1, 1, tzinfo=UTC)
SAID_2023 = datetime(2023, 1, 1, tzinfo=UTC)
SAID_2024 = datetime(2024, 6, 1, tzinfo=UTC)
SAID_2025 = datetime(2025, 3, 1, tzinfo=UTC)
QUERY = "Where does alex live?"


def home(city: str, **verdict: str) -> dict[str, Any]:
    text = f"alex lives in {city}"
    return {"facts": [fact(text, "alex", city, **verdict)],
            "entities": [entity("alex", "person"), entity(city, "location")],
            "relations": [relation("alex", "lives_in", city, text)]}


def likes(food: str, **verdict: str) -> dict[str, Any]:
    text = f"alex likes {food}"
    return {"facts": [fact(text, "alex", food, **verdict)],
            "entities": [entity("alex", "person"), entity(food, "food")],
            "relations": [relation("alex", "likes", food, text)]}


def moved_away(city: str) -> dict[str, Any]:
    """A home whose relation the model words apart from the fact: it matches no memory by text."""
    answer = home(city, contradicts="m1")
    answer["relations"] = [relation("alex", "lived_in", city, f"alex used to live in {city}")]
    return answer


def home_from(city: str, valid_at: str) -> dict[str, Any]:
    """A home whose relation the model dates itself (a move planned when it was said)."""
    answer = home(city, contradicts="m1")
    answer["relations"] = [relation("alex", "lives_in", city, f"alex lives in {city}", valid_at)]
    return answer


def two_homes(first: str, second: str) -> dict[str, Any]:
    """Two homes in one message, both contradicting the memory shown first."""
    one, two = home(first, contradicts="m1"), home(second, contradicts="m1")
    return {"facts": one["facts"] + two["facts"], "entities": one["entities"] + two["entities"][1:],
            "relations": one["relations"] + two["relations"]}


def refined(city: str) -> dict[str, Any]:
    return {**home(city), "facts": [fact(f"alex lives in {city}", "alex", city, updates="m1")]}


@pytest.fixture
def server() -> Iterator[LLMServer]:
    script = {"Berlin is my home": home("Berlin"), "Back then: Paris": home("Paris", contradicts="m1"),
              "Paris is my home": home("Paris"), "Now Berlin": home("Berlin", contradicts="m1"),
              "Rome now": home("Rome", contradicts="m1"),
              "I like pizza": likes("pizza"), "pepperoni": likes("pepperoni pizza", updates="m1"),
              "Years ago: Paris": home("Paris", contradicts="m1"), "Later: London": home("London", contradicts="m1"),
              "Used to be Paris": moved_away("Paris"), "Paris from the autumn": home_from("Paris", "2024-09-01"),
              "Mitte, exactly": refined("Berlin Mitte"), "Munich in between": home("Munich", contradicts="m1"),
              "London is my home": home("London"), "Greenwich, exactly": refined("London Greenwich"),
              "alex lives in Paris, France": home("Paris"), "Madrid, then Rome": two_homes("Madrid", "Rome")}
    with LLMServer(script) as running:
        yield running


def config(server: LLMServer, db: str = ":memory:") -> dict[str, Any]:
    return {"graph_store": {"provider": "kuzu", "config": {"db": db}}, "embedder": {"provider": "hash"},
            "llm": llm_config(server)}


def texts(found: dict[str, Any]) -> list[str]:
    return [r["memory"] for r in found["results"]]


def targets(found: dict[str, Any]) -> set[str]:
    return {r["target"] for r in found["relations"]}


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 15, tzinfo=UTC)


def all_relations(memory: Memory) -> dict[str, dict[str, Any]]:
    """Every relation of alex by target, ended ones included (get_all shows only valid ones)."""
    rows = memory._run(memory._async.backend.read(
        "relation/list", {"limit": 100, "include_invalid": True, "user_id": "alex", "agent_id": None, "run_id": None}))
    return {r["target"]: r for r in rows}


def events(memory: Memory, memory_id: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(h["event"], h["old_memory"], h["new_memory"], h["created_at"]) for h in memory.history(memory_id)]


def test_an_older_fact_contradicting_a_newer_memory_is_stored_as_history(server: LLMServer, tmp_path: Path) -> None:
    db = str(tmp_path / "kuzu")
    with llm_memory(config(server, db)) as memory:
        [berlin] = memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)["results"]
        assert texts(memory.search(QUERY, user_id="alex")) == ["alex lives in Berlin"]  # the scope is loaded now
        imported = memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)
        [paris] = imported["results"]
        assert paris == {"id": paris["id"], "memory": "alex lives in Paris", "event": "ADD",
                         "invalid_at": iso_utc(SAID_2024)}  # Berlin stays: no DELETE
        assert "[m1] alex lives in Berlin" in server.requests[1].text

        assert_history_timeline(memory, berlin["id"], paris["id"])
    with llm_memory(config(server, db)) as reopened:  # the same, read back from the store
        assert_history_timeline(reopened, berlin["id"], paris["id"])


def test_importing_the_same_older_messages_again_stores_no_second_history(server: LLMServer) -> None:
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        [paris] = memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)["results"]
        assert memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)["results"] == []
        then = memory.search(QUERY, user_id="alex", as_of=at(2023, 6))["results"]
        assert [r["id"] for r in then] == [paris["id"]]
        # Said at another time inside the same history, it is the same fact again.
        assert memory.add("Back then: Paris", user_id="alex", timestamp=at(2023, 9))["results"] == []


def assert_history_timeline(memory: Memory, berlin_id: str, paris_id: str) -> None:
    current = memory.search(QUERY, user_id="alex")
    assert texts(current) == ["alex lives in Berlin"] and targets(current) == {"Berlin"}
    assert texts(memory.get_all(user_id="alex")) == ["alex lives in Berlin"]
    assert targets(memory.get_all(user_id="alex")) == {"Berlin"}
    assert memory.search(QUERY, user_id="alex", as_of=at(2022, 6)) == {"results": [], "relations": []}
    then = memory.search(QUERY, user_id="alex", as_of=at(2023, 6))
    assert texts(then) == ["alex lives in Paris"] and targets(then) == {"Paris"}
    later = memory.search(QUERY, user_id="alex", as_of=at(2024, 7))
    assert texts(later) == ["alex lives in Berlin"] and targets(later) == {"Berlin"}

    stored = memory.get(paris_id)
    assert stored is not None
    assert (stored["created_at"], stored["invalid_at"]) == (iso_utc(SAID_2023), iso_utc(SAID_2024))
    assert stored["updated_at"] >= stored["created_at"]
    kept = memory.get(berlin_id)
    assert kept is not None and "invalid_at" not in kept
    assert events(memory, paris_id) == [
        ("ADD", None, "alex lives in Paris", iso_utc(SAID_2023)),
        ("DELETE", "alex lives in Paris", "alex lives in Berlin", iso_utc(SAID_2024))]
    assert [e[0] for e in events(memory, berlin_id)] == ["ADD"]
    relations = all_relations(memory)
    assert (relations["Paris"]["valid_at"], relations["Paris"]["invalid_at"]) == (iso_utc(SAID_2023),
                                                                                 iso_utc(SAID_2024))
    assert relations["Berlin"]["invalid_at"] is None


def test_a_newer_fact_supersedes_an_older_memory_as_before(server: LLMServer) -> None:
    with llm_memory(config(server)) as memory:
        [paris] = memory.add("Paris is my home", user_id="alex", timestamp=SAID_2023)["results"]
        moved = memory.add("Now Berlin", user_id="alex", timestamp=SAID_2024)["results"]
        assert [(r["memory"], r["event"]) for r in moved] == [("alex lives in Berlin", "ADD"),
                                                              ("alex lives in Paris", "DELETE")]
        old = memory.get(paris["id"])
        assert old is not None and old["invalid_at"] == old["updated_at"] == iso_utc(SAID_2024)
        relations = all_relations(memory)
        assert relations["Paris"]["invalid_at"] == iso_utc(SAID_2024) and relations["Berlin"]["invalid_at"] is None
        assert texts(memory.search(QUERY, user_id="alex", as_of=at(2023, 6))) == ["alex lives in Paris"]
        assert texts(memory.search(QUERY, user_id="alex", as_of=at(2024, 7))) == ["alex lives in Berlin"]
        assert texts(memory.search(QUERY, user_id="alex")) == ["alex lives in Berlin"]


def test_history_stays_history_when_the_current_memory_is_superseded_later(server: LLMServer) -> None:
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)
        moved = memory.add("Rome now", user_id="alex", timestamp=SAID_2025)["results"]
        assert [(r["memory"], r["event"]) for r in moved] == [("alex lives in Rome", "ADD"),
                                                              ("alex lives in Berlin", "DELETE")]
        timeline = [texts(memory.search(QUERY, user_id="alex", as_of=at(year, 6))) for year in (2023, 2024, 2025)]
        assert timeline == [["alex lives in Paris"], ["alex lives in Berlin"], ["alex lives in Rome"]]
        assert [targets(memory.search(QUERY, user_id="alex", as_of=at(year, 6))) for year in (2023, 2024, 2025)] \
            == [{"Paris"}, {"Berlin"}, {"Rome"}]
        assert texts(memory.get_all(user_id="alex")) == ["alex lives in Rome"]


def test_an_older_update_keeps_the_memorys_times(server: LLMServer) -> None:
    with llm_memory(config(server)) as memory:
        [pizza] = memory.add("I like pizza", user_id="alex", timestamp=SAID_2024)["results"]
        updated = memory.add("pepperoni, mostly", user_id="alex", timestamp=SAID_2023)["results"]
        assert updated == [{"id": pizza["id"], "memory": "alex likes pepperoni pizza", "event": "UPDATE",
                            "previous_memory": "alex likes pizza"}]
        got = memory.get(pizza["id"])
        assert got is not None and got["created_at"] == iso_utc(SAID_2024)
        assert got["updated_at"] == iso_utc(SAID_2024)  # not before its creation: the latest of the two
        history = memory.history(pizza["id"])
        assert [h["event"] for h in history] == ["ADD", "UPDATE"]
        assert [h["created_at"] for h in history] == [iso_utc(SAID_2024)] * 2
        # UPDATE keeps valid_at: the memory holds from when it was first said, not from the update's time
        assert texts(memory.search("pepperoni pizza", user_id="alex", as_of=at(2023, 6))) == []
        assert texts(memory.search("pepperoni pizza", user_id="alex", as_of=at(2024, 7))) == [
            "alex likes pepperoni pizza"]


@pytest.mark.parametrize("first", ["Years ago: Paris", "Later: London"])
def test_older_facts_imported_after_a_newer_one_do_not_overlap(server: LLMServer, first: str) -> None:
    """Paris (2021) and London (2022) both contradict Berlin (2024), imported in either order: each
    holds until the next one began, Paris 2021-2022, London 2022-2024."""
    said = {"Years ago: Paris": SAID_2021, "Later: London": SAID_2022}
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        ids = {}
        for message in sorted(said, key=lambda m: m != first):
            [added] = memory.add(message, user_id="alex", timestamp=said[message])["results"]
            ids[added["memory"]] = added["id"]
        views = [memory.search(QUERY, user_id="alex", as_of=at(year, 6)) for year in (2021, 2022, 2023, 2024)]
        assert [texts(view) for view in views] == [["alex lives in Paris"], ["alex lives in London"],
                                                   ["alex lives in London"], ["alex lives in Berlin"]]
        assert [targets(view) for view in views] == [{"Paris"}, {"London"}, {"London"}, {"Berlin"}]
        paris, london = (memory.get(ids[f"alex lives in {city}"]) for city in ("Paris", "London"))
        assert paris is not None and london is not None
        assert (paris["created_at"], paris["invalid_at"]) == (iso_utc(SAID_2021), iso_utc(SAID_2022))
        assert (london["created_at"], london["invalid_at"]) == (iso_utc(SAID_2022), iso_utc(SAID_2024))
        # each history says what ended it, when
        assert events(memory, paris["id"])[1:] == [
            ("DELETE", "alex lives in Paris", "alex lives in London", iso_utc(SAID_2022))]
        assert events(memory, london["id"])[1:] == [
            ("DELETE", "alex lives in London", "alex lives in Berlin", iso_utc(SAID_2024))]
        relations = all_relations(memory)
        assert [(relations[c]["valid_at"], relations[c]["invalid_at"]) for c in ("Paris", "London")] == [
            (iso_utc(SAID_2021), iso_utc(SAID_2022)), (iso_utc(SAID_2022), iso_utc(SAID_2024))]


def test_a_history_facts_relations_end_with_it(server: LLMServer) -> None:
    """A relation worded apart from its fact, and one the model dates after the newer memory began,
    are not current while their fact is history."""
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        memory.add("Used to be Paris", user_id="alex", timestamp=SAID_2023)
        assert all_relations(memory)["Paris"]["invalid_at"] == iso_utc(SAID_2024)
        assert targets(memory.get_all(user_id="alex")) == {"Berlin"}
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        [paris] = memory.add("Paris from the autumn", user_id="alex", timestamp=SAID_2023)["results"]
        assert paris["invalid_at"] == iso_utc(SAID_2024)
        assert targets(memory.get_all(user_id="alex")) == {"Berlin"}
        assert targets(memory.search(QUERY, user_id="alex")) == {"Berlin"}
        assert targets(memory.search(QUERY, user_id="alex", as_of=at(2024, 12))) == {"Berlin"}
        planned = all_relations(memory)["Paris"]
        assert planned["invalid_at"] is not None and planned["invalid_at"] >= planned["valid_at"]


def test_a_fact_said_before_a_memorys_last_update_does_not_end_it(server: LLMServer) -> None:
    """Berlin said in 2023 and refined in 2025: Munich, said in 2024, was said before the memory's
    last word, so the memory stays current and Munich is history until that update."""
    with llm_memory(config(server)) as memory:
        [berlin] = memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2023)["results"]
        memory.add("Mitte, exactly", user_id="alex", timestamp=SAID_2025)
        [munich] = memory.add("Munich in between", user_id="alex", timestamp=SAID_2024)["results"]
        assert munich == {"id": munich["id"], "memory": "alex lives in Munich", "event": "ADD",
                          "invalid_at": iso_utc(SAID_2025)}
        kept = memory.get(berlin["id"])
        assert kept is not None and "invalid_at" not in kept and kept["updated_at"] == iso_utc(SAID_2025)
        assert texts(memory.get_all(user_id="alex")) == ["alex lives in Berlin Mitte"]
        assert "Munich" not in targets(memory.search(QUERY, user_id="alex"))
        assert events(memory, munich["id"])[1:] == [
            ("DELETE", "alex lives in Munich", "alex lives in Berlin Mitte", iso_utc(SAID_2025))]
        assert all_relations(memory)["Munich"]["invalid_at"] == iso_utc(SAID_2025)


def test_history_whose_later_memory_was_deleted_is_not_imported_twice(server: LLMServer) -> None:
    with llm_memory(config(server)) as memory:
        [berlin] = memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)["results"]
        [paris] = memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)["results"]
        memory.delete(berlin["id"])
        assert memory.add("Back then: Paris", user_id="alex", timestamp=SAID_2023)["results"] == []
        then = memory.search(QUERY, user_id="alex", as_of=at(2023, 6))["results"]
        assert [r["id"] for r in then] == [paris["id"]]


def test_a_chain_member_said_again_after_the_late_fact_is_not_cut(server: LLMServer) -> None:
    """London (2022), refined by an add in mid-2023, ended by Berlin (2024): Munich, said early in 2023,
    was said before London's refinement, so London is not ended by it; Munich is history until then."""
    refined_at = at(2023, 6)
    with llm_memory(config(server)) as memory:
        [london] = memory.add("London is my home", user_id="alex", timestamp=SAID_2022)["results"]
        memory.add("Greenwich, exactly", user_id="alex", timestamp=refined_at)
        memory.add("Now Berlin", user_id="alex", timestamp=SAID_2024)
        [munich] = memory.add("Munich in between", user_id="alex", timestamp=SAID_2023)["results"]
        assert munich["invalid_at"] == iso_utc(refined_at)
        assert events(memory, london["id"]) == [
            ("ADD", None, "alex lives in London", iso_utc(SAID_2022)),
            ("UPDATE", "alex lives in London", "alex lives in London Greenwich", iso_utc(refined_at)),
            ("DELETE", "alex lives in London Greenwich", "alex lives in Berlin", iso_utc(SAID_2024))]
        assert events(memory, munich["id"])[1:] == [
            ("DELETE", "alex lives in Munich", "alex lives in London Greenwich", iso_utc(refined_at))]
        assert all_relations(memory)["Munich"]["invalid_at"] == iso_utc(refined_at)


def test_a_manual_edit_does_not_make_a_fact_later_said(server: LLMServer) -> None:
    """Paris said in 2023, its text edited today with update(): Berlin, said in 2024, still supersedes it."""
    with llm_memory(config(server)) as memory:
        [paris] = memory.add("Paris is my home", user_id="alex", timestamp=SAID_2023)["results"]
        memory.update(paris["id"], "alex lives in Paris, France")
        moved = memory.add("Now Berlin", user_id="alex", timestamp=SAID_2024)["results"]
        assert [(r["memory"], r["event"]) for r in moved] == [("alex lives in Berlin", "ADD"),
                                                              ("alex lives in Paris, France", "DELETE")]
        old = memory.get(paris["id"])
        assert old is not None and old["invalid_at"] == iso_utc(SAID_2024)
        assert texts(memory.get_all(user_id="alex")) == ["alex lives in Berlin"]
        assert texts(memory.search(QUERY, user_id="alex", as_of=at(2023, 6))) == ["alex lives in Paris, France"]


def test_a_chain_member_said_after_the_stored_memory_began_does_not_extend_a_late_fact(server: LLMServer) -> None:
    """Paris (2024) was ended by a Berlin said in 2025, since deleted; Berlin said again, dated 2022, has
    the same text, so Paris is in its chain although it began after it. Munich (2021) ends when Berlin
    began, not when Paris did: it must not overlap the memory that holds."""
    with llm_memory(config(server)) as memory:
        memory.add("Paris is my home", user_id="alex", timestamp=SAID_2024)
        [berlin, _] = memory.add("Now Berlin", user_id="alex", timestamp=SAID_2025)["results"]
        memory.delete(berlin["id"])
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2022)
        [munich] = memory.add("Munich in between", user_id="alex", timestamp=SAID_2021)["results"]
        assert munich["invalid_at"] == iso_utc(SAID_2022)
        assert events(memory, munich["id"])[1:] == [
            ("DELETE", "alex lives in Munich", "alex lives in Berlin", iso_utc(SAID_2022))]


def test_two_older_facts_in_one_add_against_one_memory_are_both_history(server: LLMServer) -> None:
    """Berlin (2024) is stored; one message said in 2023 names Madrid, then Rome, both contradicting it. Both
    are history (neither stays current beside Berlin); said at one time, the later in the message holds."""
    with llm_memory(config(server)) as memory:
        memory.add("Berlin is my home", user_id="alex", timestamp=SAID_2024)
        added = memory.add("Madrid, then Rome", user_id="alex", timestamp=SAID_2023)["results"]
        assert [(r["memory"], r["event"], r.get("invalid_at")) for r in added] == [
            ("alex lives in Madrid", "ADD", iso_utc(SAID_2023)), ("alex lives in Rome", "ADD", iso_utc(SAID_2024))]
        assert texts(memory.get_all(user_id="alex")) == ["alex lives in Berlin"]
        then = memory.search(QUERY, user_id="alex", as_of=at(2023, 6))["results"]
        assert [r["memory"] for r in then] == ["alex lives in Rome"]
        assert memory.add("Madrid, then Rome", user_id="alex", timestamp=SAID_2023)["results"] == []  # again
        assert [r["memory"] for r in memory.search(QUERY, user_id="alex", as_of=at(2023, 6))["results"]] == [
            "alex lives in Rome"]
