"""Japanese text as a line of lemmas (SudachiPy), and crisis phrases matched over that line.

A phrase is written the way a resident would write it (「消えてしまいたい」); it is analysed with the
same analyser as the messages, so 「きえたい」「消えちゃいたい」「ｷｴﾀｲ」 all give the same lemmas. `...`
(or `…`) in a phrase lets up to `GAP` words stand between its parts: 「生きる...意味...ない」.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable

#: Words allowed between the parts of a phrase written with `...`.
GAP = 4

#: Parts of speech that carry no meaning for a phrase: spaces, punctuation, particles (が, を, て...).
_SKIPPED_POS = {"空白", "補助記号", "助詞", "記号"}
#: Helpers that only colour a verb or make it polite: 消えてしまいたい / 消えちゃいたい / 消えたいです.
_FILLERS = {"仕舞う", "ちゃう", "てる", "ちまう", "ます", "です"}
#: Negation, in whichever form the analyser gives it.
NEGATION = "ない"
_NEGATIONS = {"ない", "無い", "ぬ", "ず", "ん"}
#: A marker put after a verb in its volitional form (死のう, 消えよう).
VOLITION = "う"
_SEPARATOR = re.compile(r"\.{3}|…|‥")


@functools.cache
def _dictionary():
    """The analyser's dictionary, loaded once per process (a few hundred ms)."""
    from sudachipy import Dictionary

    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer():
    """This thread's tokenizer (the relay analyses lines in several worker threads at once)."""
    if getattr(_local, "tokenize", None) is None:
        from sudachipy import SplitMode

        dictionary = _dictionary()
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        _local.tokenize = make(mode=SplitMode.C).tokenize
    return _local.tokenize


def warm_up() -> None:
    """Load the analyser now, so that the first resident's line does not wait for it."""
    _tokenizer()


def fold(text: str) -> str:
    """NFKC, no spaces, katakana as hiragana, lower case: シニタイ, ｼﾆﾀｲ and し に た い are alike."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if not ch.isspace())
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text).lower()


def lemmas(text: str) -> tuple[str, ...]:
    """The meaningful lemmas of `text`, in order (死にたくなる → 死ぬ たい 成る)."""
    out: list[str] = []
    previous = ""
    for morpheme in _tokenizer()(text):
        pos = morpheme.part_of_speech()
        lemma = morpheme.normalized_form()
        # 生きている / 生きてる / 生きる: the progressive いる after て adds nothing to a wish.
        progressive = lemma == "居る" and previous in ("て", "で")
        previous = lemma
        if pos[0] in _SKIPPED_POS or lemma in _FILLERS or progressive:
            continue
        if lemma in _NEGATIONS and pos[0] in ("助動詞", "形容詞"):
            lemma = NEGATION
        elif lemma in ("う", "よう") and pos[0] == "助動詞":
            lemma = VOLITION
        out.append(fold(lemma))
        if pos[5].startswith("意志推量形"):
            out.append(VOLITION)
    return tuple(out)


def text_lemmas(text: str) -> list[tuple[str, ...]]:
    """The lemma lines to search in a message: as written, and with katakana read as hiragana."""
    written = unicodedata.normalize("NFKC", text or "")
    written = "".join(ch for ch in written if not ch.isspace())
    folded = fold(text)
    lines = [lemmas(written)]
    if folded != written.lower():
        lines.append(lemmas(folded))
    return lines


Phrase = tuple[tuple[str, ...], ...]


def compile_phrase(text: str) -> Phrase:
    """A phrase as its parts' lemmas; empty when it holds nothing an analyser can read."""
    parts = [lemmas(fold(part)) for part in _SEPARATOR.split(unicodedata.normalize("NFKC", text or ""))]
    return tuple(part for part in parts if part)


def matches(phrase: Phrase, line: tuple[str, ...]) -> bool:
    """True when the parts of `phrase` occur in `line` in order, `GAP` words apart at most,
    and the match is not negated right after it (死にたくない is not 死にたい)."""
    if not phrase:
        return False
    first = phrase[0]
    for start in range(len(line) - len(first) + 1):
        if line[start:start + len(first)] == first:
            end = _rest(phrase[1:], line, start + len(first))
            if end is not None and not _negated(phrase, line, end):
                return True
    return False


def _rest(parts: Phrase, line: tuple[str, ...], at: int) -> int | None:
    """Where the match ends when the remaining `parts` follow from `at`, else None."""
    if not parts:
        return at
    part = parts[0]
    for start in range(at, min(at + GAP, len(line) - len(part)) + 1):
        if line[start:start + len(part)] == part:
            end = _rest(parts[1:], line, start + len(part))
            if end is not None:
                return end
    return None


def _negated(phrase: Phrase, line: tuple[str, ...], end: int) -> bool:
    return end < len(line) and line[end] == NEGATION and phrase[-1][-1] != NEGATION


def any_match(phrases: Iterable[Phrase], text: str) -> bool:
    """True when one of `phrases` occurs in `text`."""
    phrases = tuple(phrases)
    for line in text_lemmas(text):
        present = set(line)
        # A phrase can only match a line holding every one of its lemmas: most phrases are ruled out
        # by a set test, and only the rest are searched in order (matches).
        if any(_lemmas_of(phrase) <= present and matches(phrase, line) for phrase in phrases):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _lemmas_of(phrase: Phrase) -> frozenset[str]:
    return frozenset(lemma for part in phrase for lemma in part)
