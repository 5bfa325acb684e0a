"""Offline contradictions: relations that hold one value at a time. Pure: no I/O.

Without an LLM nobody judges whether a new fact contradicts a stored memory, but some relations
can only hold one value for one subject at a time: where someone lives, where they work, their
job, their diet, their relationship, their name. When a new fact states such a relation with
another value, the stored memory holding the old value is contradicted: the add marks the fact
(`ExtractedFact.contradicts`, as the model's verdict would) and the LLM path's reconciliation does
the rest (reconcile.decide, supersede.py, history.py: `invalid_at`, a DELETE event, its relations
ended, time order kept).

A slot is (subject, kind); its value is the relation's other end. Relationship values are
(status, partner): "I'm married" and "My wife is Anna" agree, "I'm single" and "Anna is my
girlfriend" do not (`conflicts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphmem.ingest.normalize import normalise_name

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

HOME = frozenset({"lives_in", "living_in", "moved_to", "resides_in", "relocated_to"})
EMPLOYER = frozenset({"works_at", "works_for", "working_at", "working_for", "employed_by", "employed_at"})
NAME = frozenset({"name", "is_named", "named", "called", "is_called", "goes_by"})
COPULA = frozenset({"is"})
# "X <kin>_of Y": X is Y's partner (the slot's subject is Y, the relation's target).
PARTNER_OF = {"wife_of": "married", "husband_of": "married", "spouse_of": "married",
              "girlfriend_of": "dating", "boyfriend_of": "dating", "partner_of": "dating",
              "fiance_of": "engaged", "fiancee_of": "engaged"}
# "Y <verb> X": the subject is the relation's source.
PARTNERED = {"married_to": "married", "engaged_to": "engaged", "dating": "dating", "dates": "dating",
             "is_dating": "dating"}
TYPES = sorted(HOME | EMPLOYER | NAME | COPULA | set(PARTNER_OF) | set(PARTNERED))

_STATUS = {"single": "single", "married": "married", "engaged": "engaged", "divorced": "divorced",
           "widowed": "widowed", "separated": "separated", "单身": "single", "已婚": "married",
           "离婚": "divorced", "离异": "divorced", "订婚": "engaged", "丧偶": "widowed"}
_DIETS = frozenset("""vegetarian vegan pescatarian pescetarian omnivore carnivore flexitarian keto paleo
lacto-vegetarian ovo-vegetarian fruitarian 素食者 素食主义者 纯素食者 纯素者 吃素 素食 荤食者""".split())
# The last word of a job title ("software engineer" -> engineer); Chinese titles by word or ending.
_JOBS = frozenset("""nurse teacher doctor physician surgeon dentist engineer developer programmer designer
lawyer attorney accountant architect chef cook baker waiter waitress bartender barista driver pilot
firefighter police policeman policewoman officer soldier farmer student professor lecturer researcher
scientist analyst consultant manager director ceo cto founder entrepreneur writer author journalist
editor artist painter musician singer actor actress photographer pharmacist therapist psychologist
paramedic electrician plumber carpenter mechanic technician cashier clerk salesman saleswoman
salesperson receptionist secretary librarian tutor intern freelancer veterinarian vet economist
banker broker translator interpreter coach trainer dancer model programmer administrator
护士 老师 教师 医生 大夫 律师 会计 厨师 司机 警察 记者 作家 演员 歌手 画家 经理 学生 大学生
研究生 博士生 教授 研究员 工人 农民 军人 服务员 店员 秘书 设计师 工程师 程序员 公务员 销售""".split())
_JOB_ENDINGS = ("师",)  # 工程师, 设计师, 理发师
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Stated:
    """One single-valued relation: its slot (subject, kind) and value (`partner` for relationships)."""

    subject: str   # the subject's name as the relation gives it
    kind: str      # home, employer, job, diet, relationship, name
    value: str     # normalised: the place, employer, ...; a relationship's status
    partner: str | None = None
    fact: str = ""

    def conflicts(self, other: Stated) -> bool:
        """Whether `other` (same slot) cannot hold together with this one."""
        if self.kind != "relationship":
            return self.value != other.value
        if self.partner and other.partner and self.partner != other.partner:
            return True
        return self.value != other.value


def key(text: str) -> str:
    """A value's comparison key: normalised, Chinese read through its Simplified twin (臺北 = 台北)."""
    if _CJK.search(text):
        from graphmem.ingest.chinese import simplified

        text = simplified(text)
    return normalise_name(text)


def stated(source: str, predicate: str, target: str, target_type: str | None = None,
           fact: str = "") -> Stated | None:
    """The single-valued relation a (source, predicate, target) triple states, if it is one."""
    if predicate in HOME:
        return Stated(source, "home", key(target), fact=fact)
    if predicate in EMPLOYER:
        return Stated(source, "employer", key(target), fact=fact)
    if predicate in NAME:
        return Stated(source, "name", key(target), fact=fact)
    if predicate in PARTNERED:
        return Stated(source, "relationship", PARTNERED[predicate], key(target), fact)
    if predicate in PARTNER_OF:
        return Stated(target, "relationship", PARTNER_OF[predicate], key(source), fact)
    if predicate in COPULA:
        return _copula(source, target, target_type, fact)
    return None


def _copula(source: str, target: str, target_type: str | None, fact: str) -> Stated | None:
    """"I'm a nurse" (job), "I'm vegan" (diet), "I'm single" (relationship), "I'm Bob" (name)."""
    value = key(target)
    words = value.split()
    if value in _STATUS:
        return Stated(source, "relationship", _STATUS[value], fact=fact)
    if value in _DIETS:
        return Stated(source, "diet", value, fact=fact)
    if words and (words[-1] in _JOBS or _is_chinese_job(value)):
        return Stated(source, "job", value, fact=fact)
    if target_type == "person" and source != target:
        return Stated(source, "name", value, fact=fact)
    return None


def _is_chinese_job(value: str) -> bool:
    """软件工程师, 护士: a title ending in a job word or in 师."""
    if not _CJK.search(value):
        return False
    return any(value.endswith(job) for job in _JOBS) or (len(value) > 1 and value.endswith(_JOB_ENDINGS))


def statuses(sent: Span) -> Iterator[tuple[Token, str]]:
    """(subject, status) of "I got married", "I'm divorced now": a relationship status the parser reads as
    a verb (an adjective one, "I'm single", is a copula's complement already); not when negated."""
    for token in sent:
        if token.lower_ not in _STATUS or token.pos_ != "VERB" or token.dep_ not in ("ROOT", "acomp"):
            continue
        head = token if token.dep_ == "ROOT" else token.head
        if any(c.dep_ == "neg" for c in (*head.children, *token.children)):
            continue
        for subject in (c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")):
            yield subject, token.lower_


def contradicted(new: Sequence[Stated], stored: Sequence[tuple[Stated, str]]) -> dict[str, str]:
    """Stored memory id -> the text of the new fact that contradicts it.

    `new`: this add's single-valued relations, each subject already resolved to an id (in `subject`);
    `stored`: the stored ones likewise, with the memory each was drawn from. A stored value is
    contradicted when it conflicts with every value the add states for its slot ("I live in Berlin
    and Paris" contradicts neither)."""
    by_slot: dict[tuple[str, str], list[Stated]] = {}
    for item in new:
        by_slot.setdefault((item.subject, item.kind), []).append(item)
    found: dict[str, str] = {}
    for old, memory_id in stored:
        told = by_slot.get((old.subject, old.kind), [])
        if told and all(old.conflicts(item) for item in told) and memory_id not in found:
            found[memory_id] = told[-1].fact
    return found
