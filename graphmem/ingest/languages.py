"""Which language a text is in, as far as the offline pipelines need to know.

The offline extractor has an English pipeline (spaCy) and a Chinese one (jieba); everything else
is stored as said. So the question is only: English, Chinese, or another language. Scripts answer
most of it (Han without kana is Chinese, kana is Japanese, Hangul Korean, Cyrillic, Arabic, ...);
for Latin text, the share of English function words against those of the other large Latin-script
languages decides, so "Me encanta la pizza" is not read with an English parser.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["en", "zh", "other"]

_HAN_CHARACTER = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HAN = re.compile(_HAN_CHARACTER)
HAN_RUN = re.compile(_HAN_CHARACTER + "+")  # a stretch of Han text (no spaces between its words)
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)

_ENGLISH = frozenset("""
i me my mine we our you your he him his she her it its they them their the a an and or but is are was were
be been am do does did have has had to of in on at for with from about this that these those what when where
who why how not no yes can could will would should just so very really i'm i've i'll it's don't didn't
""".split())
# Function words of the other large Latin-script languages that English does not use as words.
_OTHER_LATIN = frozenset("""
el la los las un una unos unas es está están soy eres somos y o pero que de del en con por para mi mis tu
su sus muy también porque cuando donde como yo tú él ella nosotros me gusta encanta vivo trabajo hay
der die das ein eine einen und oder aber ist sind bin bist ich du er sie wir ihr mein meine nicht mit von
zu für auf auch sehr wohne arbeite habe gerne liebe
le les une et ou mais est sont suis je tu il elle nous vous mon ma mes ne pas avec pour dans sur très aussi
j'aime j'habite travaille habite aime
o os uma um é são sou eu ele ela nós meu minha não com para em muito também moro trabalho gosto
il lo gli uno è sono io lui lei noi mio mia non con per sono anche molto abito lavoro piace
het een en maar ik jij hij zij wij mijn niet met voor ook heel woon werk
""".split())


def language_of(text: str) -> Language:
    """"zh" for Chinese (Han characters, no kana), "en" for English, "other" for everything else."""
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    letters = len(_LETTER.findall(text))
    if kana or _HANGUL.search(text):
        return "other"
    if han and han * 4 >= letters - han:  # Chinese with Latin names inside ("John 在 OpenAI 工作")
        return "zh"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "en"  # digits, emoji, punctuation: nothing any parser would read differently
    if any(not _is_latin(w) for w in words) and _mostly_non_latin(words):
        return "other"
    english = sum(w in _ENGLISH for w in words)
    other = sum(w in _OTHER_LATIN and w not in _ENGLISH for w in words)
    return "other" if other > english else "en"


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def han_count(text: str) -> int:
    """How many Han characters `text` holds."""
    return len(_HAN.findall(text))


def _is_latin(word: str) -> bool:
    return all("LATIN" in unicodedata.name(ch, "") or ch in "'’" for ch in word)


def _mostly_non_latin(words: list[str]) -> bool:
    return sum(not _is_latin(w) for w in words) * 2 > len(words)


def has_english_words(text: str, also: frozenset[str] = frozenset()) -> bool:
    """Whether a text uses any English function word (or one of `also`): a Latin-script text without one
    may be another language that `language_of` could not tell from English (Turkish, Polish, Vietnamese)."""
    return any(w.lower() in _ENGLISH or w.lower() in also for w in _WORD.findall(text))
