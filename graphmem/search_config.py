"""The search part of the configuration (fusion, signals' weights, graph hops). `graphmem.config` re-exports it.

A partial dict merges with the defaults at every level: `{"search": {"weights": {"graph": 0}}}` turns the
graph signal off and keeps every other weight.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Measured on LOCOMO dev (infer=False) and judged leave-one-conversation-out: a small k; the vector weight rose
# 0.6 -> 1.5 once the query's vector no longer read the speakers' names (search/speakers.py).
DEFAULT_WEIGHTS: dict[str, float] = {"vector": 1.5, "keyword": 1.0, "graph": 0.15, "feedback": 0.5, "named": 0.3,
                                     "time": 0.5, "list": 1.0, "shared": 0.3}


def _signal(name: str) -> str:
    if name not in DEFAULT_WEIGHTS:
        raise ValueError(f"unknown signal {name!r}; the signals are {', '.join(DEFAULT_WEIGHTS)}")
    return name


Signal = Annotated[str, AfterValidator(_signal)]
Weight = Annotated[float, Field(ge=0.0)]


class SearchConfig(_Strict):
    hops: int = Field(default=2, ge=0, le=4, description="RELATES hops expanded from the query's entities.")
    candidates: int = Field(default=50, gt=0, description="Candidates per seed signal before fusion.")
    fusion: Literal["rrf", "score"] = Field(default="rrf", description="Rank fusion, or a weighted sum of "
                                                                       "each signal's scores scaled by its best.")
    rrf_k: int = Field(default=5, gt=0)
    weights: dict[Signal, Weight] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
        json_schema_extra={"propertyNames": {"enum": [*DEFAULT_WEIGHTS]}},
        description="Fusion weight of each signal: vector, keyword, graph, feedback (a second keyword "
                    "query with the words the first round's best hits share), named (candidates that "
                    "mention an entity the query names, hubs such as a speaker included), and time (memories "
                    "said within the query's time cue, e.g. \"last week\", \"in May 2023\", or whose metadata "
                    "names a calendar date in it under a time key such as date or created_at), and list (for a "
                    "\"What <kind> has <someone> ...?\" question, the memories closest to <kind> alone, one more "
                    "query embedding; search/lists.py), and shared (memories that name a specific entity the "
                    "best vector and keyword hits name, search/shared.py); 0 turns a signal "
                    "off. Given weights replace the defaults' one by one; the others stay.")
    keyword_coverage: bool = Field(default=True,
                                   description="Weigh the keyword signal, per search, by the share of the query's "
                                               "telling words (its time cue aside) that the scope's memories hold "
                                               "at all: a question asked in other words than the conversation's "
                                               "leans on the vector (search/coverage.py). Kuzu only; the Bolt "
                                               "stores keep the configured weight. Chats 1-4 R@10 / R@5 .773 / "
                                               ".643 to .785 / .655, zh .952 to .965, LOCOMO dev .837 / .766 "
                                               "to .836 / .762.")
    max_relations: int = Field(default=10, ge=0)
    feedback_min_memories: int = Field(default=30, ge=0,
                                       description="The feedback signal runs only in a scope of at least this "
                                                   "many memories: in a small one the best hits are much of it, "
                                                   "and the words they share are its topic, not the question's. "
                                                   "150 raised the companion chats' recall at 10 (~50 messages "
                                                   "each; zh .918 to .937, en .922 to .958) but lowered zh recall "
                                                   "at 5 (.857 to .839); LOCOMO's scopes (369-663) are above both.")
    shared_min_memories: int = Field(default=150, ge=0,
                                     description="The shared signal runs only in a scope of at least this many "
                                                 "memories: in a small one the best hits already hold most of what "
                                                 "is said of a thing (search/shared.py). Ungated, the companion "
                                                 "chats (~50 messages) fell at 5 (zh .879 to .865).")
    list_max_rest: int = Field(default=1, ge=0,
                               description="The list signal serves a \"What <kind> has <someone> ...\" question "
                                           "only when the rest of it says at most this many content words "
                                           "(search/lists.py); see list_loose_weight for the others.")
    list_loose_weight: float = Field(default=0.5, ge=0.0, le=1.0,
                                     description="Share of the list signal's weight for a list question whose rest "
                                                 "says more than list_max_rest content words (\"What kind of dance "
                                                 "piece did Gina's team perform to win first place?\": the kind is "
                                                 "a part of what it asks); 0 leaves such questions without it. "
                                                 "LOCOMO dev (1-4, R@10 / R@5): 0 .795 / .701, .5 .801 / .707, "
                                                 "1 .805 / .695.")
    context_weight: float = Field(default=0.35, ge=0.0, le=1.0,
                                  description="Share of a hit's score given to the memory of the next message "
                                              "(half of it to the previous one); 0 turns it off. 0.5 before "
                                              "context vectors; with them (1-4 R@10 / R@5): LOCOMO dev .832 / "
                                              ".738 at 0.5, .831 / .728 at 0.35, companion chats zh .918 / .836 "
                                              "and .918 / .858, en .936 / .867 and .944 / .896.")
    context_seeds: int = Field(default=10, ge=0, description="How many top hits lend score to their neighbours.")
    context_vector_weight: float = Field(default=1.0, ge=0.0, le=4.0,
                                         description="The vector search ranks a memory by its own similarity plus "
                                                     "this times its context vector's (its message read after the "
                                                     "two before it; the top-level context_vectors); 0 ranks by its "
                                                     "own alone. It orders the vector ranking (rank fusion, the "
                                                     "default); with fusion \"score\" it only widens the vector "
                                                     "candidates. LOCOMO dev (1-4, R@10 / R@5, context_weight .5): 0 "
                                                     ".801 / .707, 1 .832 / .738.")
    speaker_names_in_vector: bool = Field(default=False,
                                          description="Whether the query's vector reads the names of the "
                                                      "conversation's speakers that it names. Off, \"What does "
                                                      "Melanie do to destress?\" is embedded as \"What does do to "
                                                      "destress?\" (search/speakers.py): her name is in or behind "
                                                      "every message she said and outweighs what is asked; the "
                                                      "other signals still read it.")
    question_weight: float = Field(default=0.5, ge=0.0, le=1.0,
                                   description="Score multiplier of a message that ends in a question: it asks "
                                               "rather than tells (its reply gets the context lift); 1 turns it off.")
    other_speaker_weight: float = Field(default=0.25, ge=0.0, le=1.0,
                                        description="Score multiplier of a \"Name: ...\" message whose speaker the "
                                                    "query does not name, when it names the speaker of other top "
                                                    "hits; 1 turns it off. 0.5 while the query's vector read the "
                                                    "speakers' names (speaker_names_in_vector).")
    untimed_weight: float = Field(default=0.5, ge=0.0, le=1.0,
                                  description="Score multiplier of a top hit that names no time (yesterday, last "
                                              "week, in May, 上个月…) when the question asks when (When…, How long…, "
                                              "什么时候…; search/answer_time.py, English and Chinese); 1 turns it off. "
                                              "Temporal R@10: chats .870 to .906, zh .971 to 1.0, LOCOMO dev .967 to "
                                              ".956 (one question; its when-questions' evidence rose in rank).")
    diversity: float = Field(default=0.0, ge=0.0, le=1.0,
                             description="Share of a top hit's score taken per better hit said within "
                                         "diversity_span messages of it (search/diversity.py: spreads the "
                                         "results across a conversation's sessions); 0 turns it off.")
    diversity_span: int = Field(default=8, ge=1, description="Messages apart within which two hits count as "
                                                              "one stretch of conversation for diversity.")
    session_prior: float = Field(default=0.0, ge=0.0, le=1.0,
                                 description="Lift of a top hit by how well its session (a stretch of the scope's "
                                             "timeline with no gap over 2 hours between hits) matches the query: "
                                             "up to this share of the best score, by the mean of the session's "
                                             "best 3 scores against the best session's (search/sessions.py); "
                                             "0 turns it off.")

    @field_validator("weights", mode="before")
    @classmethod
    def _merge_weights(cls, value: Any) -> Any:
        """A partial dict changes only the weights it names."""
        return {**DEFAULT_WEIGHTS, **value} if isinstance(value, dict) else value

    @field_validator("weights")
    @classmethod
    def _some_signal(cls, value: dict[str, float]) -> dict[str, float]:
        if not any(value.values()):
            raise ValueError("at least one weight must be above 0, or every search finds nothing")
        return value
