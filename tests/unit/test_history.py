"""An older fact imported late takes its place in the contradicted memory's chain of history
(graphmem/ingest/history.py, supersede.py): pure."""

from __future__ import annotations

from typing import Any

from graphmem.ingest.history import Ended, chain_of, cut_statements, next_after
from graphmem.ingest.plan import NewMemory
from graphmem.ingest.supersede import Contradiction, contradiction_statements, place_late

T2021 = "2021-01-01T00:00:00.000000+00:00"
T2022 = "2022-01-01T00:00:00.000000+00:00"
T2023 = "2023-01-01T00:00:00.000000+00:00"
T2024 = "2024-06-01T00:00:00.000000+00:00"
BERLIN = {"id": "berlin", "text": "alex lives in Berlin", "user_id": "alex", "agent_id": None, "run_id": None,
          "created_at": T2024, "updated_at": None, "valid_at": T2024}


def ended(name: str, valid_at: str, invalid_at: str, ended_by: str | None) -> Ended:
    return Ended(id=name, text=f"alex lives in {name}", valid_at=valid_at, invalid_at=invalid_at,
                 event_id=f"{name}-delete", ended_by=ended_by)


PARIS = ended("Paris", T2021, T2022, "alex lives in London")
LONDON = ended("London", T2022, T2024, "alex lives in Berlin")
GOOGLE = Ended(id="google", text="alex works at Google", valid_at=T2021, invalid_at=T2024, event_id="g-delete",
               ended_by="alex works at Meta")


def late(city: str, said: str, chain: tuple[Ended, ...]) -> Contradiction:
    memory = NewMemory(text=f"alex lives in {city}", embedding=[1.0], entity_names=["alex", city], id=city)
    return Contradiction(memory, BERLIN, said, chain)


def test_the_chain_is_what_the_memory_ended_and_what_those_ended() -> None:
    assert chain_of({"alex lives in Berlin"}, [PARIS, GOOGLE, LONDON]) == [LONDON, PARIS]
    assert chain_of({"alex lives in Rome"}, [PARIS, GOOGLE, LONDON]) == []


def test_a_text_an_update_replaced_still_names_the_memory() -> None:
    updated = {**BERLIN, "text": "alex lives in Berlin Mitte"}
    events = [{"id": "e1", "memory_id": "berlin", "event": "ADD", "old_text": None},
              {"id": "e2", "memory_id": "berlin", "event": "UPDATE", "old_text": "alex lives in Berlin"},
              {"id": "e3", "memory_id": "other", "event": "UPDATE", "old_text": "alex lives in Rome"}]
    contradiction = Contradiction(NewMemory(text="x", embedding=[1.0], entity_names=[]), updated, T2023)
    assert contradiction.names(events) == {"alex lives in Berlin Mitte", "alex lives in Berlin"}


def test_a_late_fact_ends_when_the_next_memory_of_the_chain_began() -> None:
    assert next_after([LONDON, PARIS], T2021) == (T2022, LONDON)
    assert next_after([LONDON, PARIS], "2020-01-01") == (T2021, PARIS) and next_after([LONDON], T2023) is None
    madrid = late("Madrid", "2020-06-01T00:00:00.000000+00:00", (LONDON, PARIS))
    assert (madrid.ends_at, madrid.ended_by) == (T2021, "alex lives in Paris")
    invalidate, create, _ = contradiction_statements(madrid, [])
    assert invalidate.params["invalid_at"] == T2021
    assert (create.params["rows"][0]["new_text"], create.params["rows"][0]["created_at"]) == (
        "alex lives in Paris", T2021)
    # after every memory of the chain began: it ends when the contradicted memory began, as without one
    assert late("Rome", T2023, (LONDON, PARIS)).ends_at == T2024


def test_the_memory_of_the_chain_that_held_then_ends_when_the_late_fact_was_said() -> None:
    relations = [{"id": "r-held", "memory_id": "London", "valid_at": T2022, "invalid_at": T2024},
                 {"id": "r-later", "memory_id": "London", "valid_at": "2023-06-01", "invalid_at": T2024},
                 {"id": "r-over", "memory_id": "London", "valid_at": T2022, "invalid_at": "2022-03-01"},
                 {"id": "r-other", "memory_id": "Paris", "valid_at": T2021, "invalid_at": T2022}]
    cuts = cut_statements([LONDON, PARIS], T2023, "alex lives in Rome", relations)
    assert [(s.name, s.params) for s in cuts] == [
        ("memory/invalidate", {"id": "London", "invalid_at": T2023, "updated_at": T2023}),
        ("event/set_end", {"id": "London-delete", "new_text": "alex lives in Rome", "created_at": T2023}),
        ("relation/invalidate", {"ids": ["r-held"], "invalid_at": T2023})]
    statements = contradiction_statements(late("Rome", T2023, (LONDON, PARIS)), [], relations)
    assert [s.name for s in statements] == ["memory/invalidate", "event/create", "event/link",
                                            "memory/invalidate", "event/set_end", "relation/invalidate"]


def test_nothing_is_cut_when_no_memory_of_the_chain_held_then() -> None:
    relations: list[dict[str, Any]] = []
    assert cut_statements([LONDON, PARIS], "2020-01-01", "alex lives in Madrid", relations) == []
    assert cut_statements([LONDON, PARIS], T2024, "alex lives in Rome", relations) == []  # ended by then


def test_late_facts_against_one_memory_are_placed_one_after_the_other() -> None:
    """Madrid (2023-01) and Rome (2023-05) both contradict Berlin (2024): Madrid ends when Rome began."""
    madrid, rome = late("Madrid", T2023, ()), late("Rome", "2023-05-01T00:00:00.000000+00:00", ())
    placed = place_late([madrid, rome], {"berlin": [LONDON, PARIS]}, [])
    assert [(c.ends_at, c.ended_by) for c in placed] == [(rome.now, "alex lives in Rome"),
                                                         (T2024, "alex lives in Berlin")]
    # said at one time (one add): the later fact of the add holds from it, the earlier never held
    placed_at_once = place_late([late("Madrid", T2023, ()), late("Rome", T2023, ())],
                                 {"berlin": []}, [])
    assert [(c.ends_at, c.ended_by) for c in placed_at_once] == [(T2023, "alex lives in Rome"),
                                                                 (T2024, "alex lives in Berlin")]


def test_a_late_fact_never_outlasts_the_stored_memorys_start() -> None:
    """A member linked by text but begun after the stored memory began does not extend the late fact."""
    after = ended("Paris", "2024-09-01T00:00:00.000000+00:00", "2025-01-01T00:00:00.000000+00:00",
                  "alex lives in Berlin")
    madrid = late("Madrid", T2021, (after,))
    assert (madrid.ends_at, madrid.ended_by) == (T2024, "alex lives in Berlin")


def test_a_member_said_again_after_the_late_fact_is_not_cut_and_ends_it() -> None:
    """London held from 2022, refined by an add in 2023-06: a fact said in 2023-01 ends at the refinement."""
    refined = Ended(id="London", text="alex lives in London Greenwich", valid_at=T2022, invalid_at=T2024,
                    event_id="London-delete", ended_by="alex lives in Berlin", said_again="2023-06-01")
    assert not refined.held_at(T2023) and refined.held_at("2023-07-01")
    assert cut_statements([refined], T2023, "alex lives in Munich", []) == []
    munich = late("Munich", T2023, (refined,))
    assert (munich.ends_at, munich.ended_by) == ("2023-06-01", "alex lives in London Greenwich")
    assert Ended.of({"id": "x", "text": "t", "valid_at": T2022, "invalid_at": T2024, "event_id": "e",
                     "ended_by": None, "updates": [{"event": "UPDATE", "role": "user", "created_at": T2023},
                                                   {"event": "UPDATE", "role": None, "created_at": T2024},
                                                   {"event": None, "role": None, "created_at": None}]}
                    ).said_again == T2023
