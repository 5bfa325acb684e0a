"""Chinese for the offline extractor: facts, entities and relations read with jieba, no model.

A message is split into sentences (each a fact) and each sentence into clauses at commas; a
clause is segmented and tagged by jieba (its dictionary is Simplified: Traditional text is read
through its Simplified twin, character for character, and names are taken back from the text as
written). Entities are jieba's proper nouns (nr person, ns place, nt organisation, nz other) and
Latin words inside the text ("John", "OpenAI"); relations are the common patterns of talk about
oneself and others: 在 X 工作, 住在 X, 是 X 的朋友, X 的妻子是 Y, 喜歡/討厭 X, 是 X. A clause
without a subject continues the one before it ("我喜歡披薩，討厭青花菜"), and in a user's message
the first one is the speaker ("喜歡披薩").
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphmem.errors import MissingDependencyError
from graphmem.ingest.jieba_dict import jieba_ready, word_tags
from graphmem.pacing import paced, pieces

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])")
_CLAUSE_SPLIT = re.compile(r"[，,、：:]")
_FIRST = frozenset({"我", "我们", "咱", "咱们", "本人"})
_SECOND = frozenset({"你", "您", "你们"})
_THIRD = frozenset({"他", "她", "它", "他们", "她们"})
# Words between a subject and its verb that are not part of either ("并且是", "也在", "现在住在").
_FILLER_FLAGS = ("c", "d", "t", "p", "u", "y", "e", "m", "q", "f")
_NAME_FLAGS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "location", "nt": "organization",
               "nz": "thing", "eng": "thing"}
_NOUN_FLAGS = ("n", "eng", "j", "vn", "l", "an", "nz")
_KIN = {"朋友": "friend", "好朋友": "friend", "同事": "colleague", "妻子": "wife", "老婆": "wife", "太太": "wife",
        "丈夫": "husband", "老公": "husband", "先生": "husband", "女朋友": "girlfriend", "男朋友": "boyfriend",
        "女友": "girlfriend", "男友": "boyfriend", "哥哥": "brother", "弟弟": "brother", "姐姐": "sister",
        "妹妹": "sister", "妈妈": "mother", "母亲": "mother", "爸爸": "father", "父亲": "father", "儿子": "son",
        "女儿": "daughter", "老板": "boss", "上司": "boss", "邻居": "neighbor", "同学": "classmate",
        "室友": "roommate", "未婚妻": "fiancee", "未婚夫": "fiance", "孩子": "child", "猫": "cat", "狗": "dog"}
_NEGATIONS = frozenset({"不", "不再", "没", "没有", "别", "不会", "不是", "从来不", "从不", "从没", "从未", "毫不",
                        "未"})
# A feeling negated anywhere before its verb ("不太喜欢", "不是很喜欢", "没那么喜欢"), as the English reading
# names it ("I don't like": dislikes, "I don't love": not_love).
_NEGATED_FEELINGS = {"likes": "dislikes", "loves": "not_love", "hates": "not_hate", "has": "not_have"}
_NAME_NOUNS = frozenset({"名字", "姓名", "全名"})
_WORK_ENDS = frozenset({"工作", "上班", "任职", "实习", "打工", "就职", "当", "做", "教书"})
_STUDY_ENDS = frozenset({"上学", "读书", "学习", "念书", "读", "读大学", "留学"})
_TYPED_TARGETS = frozenset({"works_at", "studies_at", "lives_in"})
_LIVE = frozenset({"住", "住在", "居住", "搬到", "搬去", "搬家", "定居", "生活"})
# Going to a place, as the English reading names it ("I went to Kyoto": went_to; "visited", "have been to": visited).
_TRAVEL = {"去": "went_to", "前往": "went_to", "去过": "visited", "到过": "visited", "参观": "visited",
           "游览": "visited", "拜访": "visited", "访问": "visited"}
_FEELINGS = {"喜欢": "likes", "爱": "loves", "热爱": "loves", "爱吃": "loves", "讨厌": "hates", "恨": "hates",
             "不喜欢": "dislikes", "喜爱": "likes", "爱好": "likes", "迷上": "likes", "养": "has", "有": "has"}
_PARTICLES = frozenset("了 过 着 在 到 于 一只 一条 一个 个 只 条 很 非常 超级".split())
_SMALL_TALK = frozenset("""你好 您好 谢谢 谢谢你 多谢 好的 好 嗯 嗯嗯 哈哈 哈哈哈 呵呵 再见 拜拜
晚安 早安 早上好 没问题 不客气 好啊 是的 对 对啊 太好了 真棒 加油 收到 明白 了解 好吧 哦 噢 啊""".split())
_REQUEST = re.compile(r"^(请|麻烦|帮我|帮忙|给我|推荐|建议|告诉我|能不能|可不可以|"
                      r"可以帮|你能|你可以帮|提醒我|记得提醒)")
_ACKNOWLEDGE = re.compile(r"(我会记住|我记住了|我记下|记下了|我会记得|已记住|没问题|收到|明白了|了解了|好的)")
_SUGGEST = re.compile(r"^(你可以|建议你|推荐你|不妨|试试|要不要|或许你|也许你|你应该)")
_QUESTION_END = re.compile(r"(吗|嗎|么|呢|吧)?[？?]$|[吗嗎]$")

LONG_TEXT = 4000  # characters: beyond, words are tagged from jieba's dictionary (see _tagged)
_SEGMENT_BREAK = re.compile(r"[^\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]")  # not in jieba's runs of words
_lock = threading.Lock()
_tables = False


def _posseg() -> Any:
    """jieba's part-of-speech tagger (its dictionary loaded by `jieba_dict`, which other threads outlive)."""
    jieba_ready()
    import jieba.posseg

    return jieba.posseg


def simplified(text: str) -> str:
    """The Simplified twin of a text, one character for one where zhconv allows it (names keep their place)."""
    global _tables
    try:
        import zhconv
    except ImportError:
        raise MissingDependencyError("Chinese text needs zhconv: pip install zhconv") from None
    with _lock:
        if not _tables:  # by path: zhconv's own loader leaves its package file open
            zhconv.loaddict(str(Path(zhconv.__file__).with_name("zhcdict.json")))
            _tables = True
    converted: str = zhconv.convert(text, "zh-hans")
    return converted


@dataclass(frozen=True)
class Word:
    text: str  # as written
    key: str  # Simplified, for the rules
    flag: str


@dataclass
class ZhSentence:
    text: str
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (source, predicate, target)
    kind: str = "fact"  # "fact", "question", "request", "small_talk", "acknowledgement", "suggestion"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def words(text: str) -> list[Word]:
    """jieba's words of `text` with their tags; Latin words joined by single spaces make one name."""
    key = simplified(text)
    same_shape = len(key) == len(text)
    found: list[Word] = []
    position = 0
    for word, flag in paced(_tagged(key)):
        original = text[position:position + len(word)] if same_shape else word
        position += len(word)
        if not word.strip():
            continue
        found.append(Word(original, word, flag))
    return _join_latin(found, text)


def _tagged(key: str) -> list[tuple[str, str]]:
    """(word, tag) pairs. jieba's POS tagger costs ~90 µs a character in Python (9 s for 100,000); past
    LONG_TEXT characters the words come from its segmenter (~30x cheaper), piece by piece with pauses
    (`graphmem.pacing`: other threads need the GIL meanwhile), and take their dictionary tag, so names
    its dictionary lacks (found by the tagger's HMM) are missed in such long texts only."""
    if len(key) <= LONG_TEXT:
        return [(token.word, token.flag) for token in _posseg().lcut(key)]
    jieba, tags = jieba_ready(), word_tags()
    return [(w, tags.get(w) or ("eng" if w.isascii() and w.isalpha() else "x"))
            for piece in paced(_pieces(key)) for w in jieba.lcut(piece)]


def _pieces(text: str) -> Iterator[str]:
    """Pieces of ~500 characters, each cut after a character that jieba's segmenter splits at anyway
    (punctuation, spaces), so the words are those of the whole text."""
    return pieces(text, 500, _SEGMENT_BREAK)


def name_type(word: Word) -> str | None:
    """The entity type of a word that names something (jieba's proper-noun tags, a capitalised Latin
    word), else None."""
    if word.flag == "eng" and not word.text[:1].isupper():
        return None
    return _NAME_FLAGS.get(word.flag)


def _join_latin(found: list[Word], text: str) -> list[Word]:
    joined: list[Word] = []
    for word in found:
        previous = joined[-1] if joined else None
        if previous is not None and word.flag == "eng" and previous.flag == "eng" \
                and f"{previous.text} {word.text}" in text:
            joined[-1] = Word(f"{previous.text} {word.text}", f"{previous.key} {word.key}", "eng")
        else:
            joined.append(word)
    return joined


def classify(sentence: str, role: str) -> str:
    """What a sentence is: only "fact" sentences become memories."""
    key = simplified(sentence).strip()
    bare = re.sub(r"[\W_]+", "", key)
    if not bare or bare in _SMALL_TALK:
        return "small_talk"
    if _QUESTION_END.search(key):
        return "question"
    if role == "assistant":
        if _ACKNOWLEDGE.search(key):
            return "acknowledgement"
        if _SUGGEST.search(bare):
            return "suggestion"
    elif _REQUEST.search(bare):
        return "request"
    return "fact"


class _Reader:
    """Reads the clauses of one sentence, carrying the subject from one clause to the next."""

    def __init__(self, first: str | None, second: str | None) -> None:
        self.first, self.second = first, second
        self.subject: tuple[str, str] | None = (first, "person") if first else None
        self.entities: dict[str, str] = {}
        self.relations: list[tuple[str, str, str]] = []

    def entity(self, name: str, kind: str) -> str:
        if self.entities.get(name, "thing") == "thing":
            self.entities[name] = kind
        return name

    def relate(self, source: tuple[str, str], predicate: str, target: tuple[str, str]) -> None:
        head, tail = self.entity(*source), self.entity(*target)
        if predicate in _TYPED_TARGETS:  # jieba may tag 阿里巴巴 a person: where one works says otherwise
            self.entities[tail] = target[1]
        if head != tail and (head, predicate, tail) not in self.relations:
            self.relations.append((head, predicate, tail))

    def clause(self, clause: list[Word]) -> None:
        for word in clause:
            kind = name_type(word)
            if kind is not None:
                self.entity(word.text, kind)
            elif word.key in _FIRST and self.first:
                self.entity(self.first, "person")
        for index, word in enumerate(clause):
            if self._predicate(clause, index, word):
                return

    def _predicate(self, clause: list[Word], index: int, word: Word) -> bool:
        """Read a relation whose verb is at `index`; True when one was read."""
        before, after = clause[:index], clause[index + 1:]
        if word.key == "在":
            end = next((i for i, w in enumerate(after) if w.key in _WORK_ENDS | _STUDY_ENDS), None)
            if end is None or end == 0:
                return word.key in _LIVE and self._object_relation(before, "lives_in", after, "location")
            predicate = "works_at" if after[end].key in _WORK_ENDS else "studies_at"
            return self._relation(before, predicate, (_name(after[:end]), "organization"))
        if word.key in _LIVE or (word.key == "搬" and after and after[0].key in ("到", "去")):  # 搬/到 split
            rest = after[1:] if after and after[0].key in ("在", "到", "去") else after
            return self._object_relation(before, "lives_in", rest, "location")
        if word.key in ("是", "叫", "名叫") and before and before[-1].key in _KIN:
            return self._kin_named(before, word, after)
        if word.key == "吃素" and not any(w.key in _NEGATIONS for w in before):  # a diet: single-valued
            return self._relation(before, "is", ("素食者", "thing"))
        if word.key in ("叫", "名叫") or (word.key in ("是", "叫") and before and before[-1].key in _NAME_NOUNS):
            return self._named(before, after)
        if word.key == "是":
            return self._copula(before, after)
        if word.key in _TRAVEL:
            return self._went(before, _TRAVEL[word.key], after)
        feeling = _FEELINGS.get(word.key)
        if feeling is not None and after:
            if any(w.key in _NEGATIONS for w in before):
                feeling = _NEGATED_FEELINGS.get(feeling, feeling)
            return self._object_relation(before, feeling, after, "thing")
        return False

    def _went(self, before: list[Word], predicate: str, after: list[Word]) -> bool:
        """"我上週去了京都", "我们去过日本": where the subject went, when it is a place or a thing's name ("去看电影",
        "去上班": 去 before a verb says what one did, not where; "没去北京": not gone)."""
        place = list(itertools.takewhile(lambda w: w.flag.startswith("n") or w.flag == "eng", _object(after)))
        if not place or any(w.key[:1] in ("不", "没", "别") for w in before):  # 不想去, 没能去, 别去
            return False
        return self._object_relation(before, predicate, place, "location")

    def _kin_named(self, before: list[Word], word: Word, after: list[Word]) -> bool:
        """"我的妻子是王小美" / "我女朋友叫李娜": the named one is the owner's relative."""
        kin = before[-1]
        owner = self._subject([w for w in before[:-1] if w.key != "的"])
        named = _object(after)
        if owner is None or not named:
            return False
        self.relate((_name(named), "person"), f"{_KIN[kin.key]}_of", owner)
        self.subject = (_name(named), "person")  # "..., 她在北京大学读书" speaks of the relative next
        return True

    def _named(self, before: list[Word], after: list[Word]) -> bool:
        """"我叫小明", "我的名字是小明", "大家都叫我小明": (who, name, 小明), a single-valued relation."""
        if after and after[0].key in _FIRST | _SECOND | _THIRD:  # "叫我小明": the one called is the object
            before, after = after[:1], after[1:]
        owner = [w for w in before if w.key not in _NAME_NOUNS and w.key != "的"]
        name = list(itertools.takewhile(lambda w: w.flag == "eng" or not w.flag.startswith(_FILLER_FLAGS), after))
        if not name or not (name[0].flag in _NAME_FLAGS or name[0].flag.startswith("n")):
            return False  # "我叫了外卖", "他叫我去": 叫 orders or asks, it names nobody
        return self._object_relation(owner, "name", name, "person")

    def _copula(self, before: list[Word], after: list[Word]) -> bool:
        """"是 Sarah 的朋友" (a relation of the subject), or "是素食者" (what the subject is)."""
        kin = next((i for i, w in enumerate(after) if w.key in _KIN and i > 0 and after[i - 1].key == "的"), None)
        if kin is not None:
            other = _object(after[:kin - 1])
            return bool(other) and self._relation(before, f"{_KIN[after[kin].key]}_of", (_name(other), "person"))
        return self._object_relation(before, "is", after, "thing")

    def _object_relation(self, before: list[Word], predicate: str, after: list[Word], kind: str) -> bool:
        target = _object(after)
        if not target:
            return False
        named = _NAME_FLAGS.get(target[0].flag) if len(target) == 1 else None
        return self._relation(before, predicate, (_name(target), kind if named in (None, "thing") else named))

    def _relation(self, before: list[Word], predicate: str, target: tuple[str, str]) -> bool:
        if not target[0]:
            return False
        subject = self._subject(before)
        if subject is None:
            return False
        if predicate in ("works_at", "studies_at", "lives_in") or predicate.endswith("_of"):
            subject = (subject[0], "person")
        self.subject = subject
        self.relate(subject, predicate, target)
        return True

    def _subject(self, before: list[Word]) -> tuple[str, str] | None:
        """Who the clause is about: a named word or a pronoun before the verb, else the one before."""
        for word in reversed([w for w in before if w.flag == "eng" or not w.flag.startswith(_FILLER_FLAGS)]):
            if word.key in _FIRST:
                return (self.first, "person") if self.first else None
            if word.key in _SECOND:
                return (self.second, "person") if self.second else None
            if word.key in _THIRD:
                return self.subject if self.subject and self.subject[0] != self.first else None
            if word.flag in _NAME_FLAGS or word.flag.startswith("n"):
                return word.text, _NAME_FLAGS.get(word.flag, "thing")
        return self.subject


def _object(after: list[Word]) -> list[Word]:
    """The noun phrase a verb takes: its first words after particles and measure words, up to a break."""
    rest = list(after)
    while rest and (rest[0].key in _PARTICLES or rest[0].flag in ("m", "q", "ul", "uz", "d")):
        rest.pop(0)
    phrase: list[Word] = []
    for word in rest:
        if word.key in ("的", "了", "吧", "啊", "呢", "吗") and phrase:
            break
        if not re.search(r"\w", word.text):
            break
        phrase.append(word)
        if len(phrase) >= 4:
            break
    return phrase


def _name(phrase: list[Word]) -> str:
    spaced = any(w.flag == "eng" for w in phrase)
    return (" " if spaced else "").join(w.text for w in phrase).strip()


def read(text: str, role: str, first: str | None, second: str | None) -> Iterator[ZhSentence]:
    """The sentences of a Chinese message, each with its kind, entities and relations."""
    for sentence in paced(sentences(text)):
        kind = classify(sentence, role)
        reader = _Reader(first, second)
        if kind == "fact":
            for clause in _CLAUSE_SPLIT.split(sentence):
                if clause.strip():
                    reader.clause(words(clause))
        yield ZhSentence(sentence, list(reader.entities.items()), reader.relations, kind)


def search_words(key: str) -> list[str]:
    """jieba's search-mode words of a Simplified text (for keyword terms)."""
    found: list[str] = jieba_ready().lcut_for_search(key)
    return [w for w in found if w.strip()]
