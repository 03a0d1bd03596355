"""Crisis in any phrasing: the corpus residents' sentences are measured against (CONTRACT §6).

must_flag.txt: the wish to die or disappear as people write it (inflections, kana, half width,
spaces, casual and indirect forms). ordinary.txt: what else residents write, some of it close in
words (死ぬほど笑った, 電気が消えた, 親が亡くなって). One sentence a line; # starts a comment.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.checkins.operations import crisis
from webapp.config import DEFAULT_CRISIS_PHRASES, DEFAULT_CRISIS_WORDS

CORPUS = Path(__file__).parent / "crisis_corpus"


def sentences(name: str) -> list[str]:
    lines = (line.strip() for line in (CORPUS / name).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def defaults():
    """The phrases the database is seeded with, matched in memory as the relay does."""
    return crisis.build(DEFAULT_CRISIS_PHRASES, DEFAULT_CRISIS_WORDS, [])


def flagged(crisis_set, text: str) -> bool:
    return crisis._flagged(crisis_set, text)


def test_the_corpus_is_large_enough_to_mean_something():
    assert len(set(sentences("must_flag.txt"))) >= 80
    assert len(set(sentences("ordinary.txt"))) >= 80


def test_the_wish_to_die_or_disappear_is_flagged_however_it_is_written(defaults):
    must = sentences("must_flag.txt")
    missed = [s for s in must if not flagged(defaults, s)]
    recall = 1 - len(missed) / len(must)
    print(f"\ncrisis recall: {recall:.1%} ({len(must) - len(missed)}/{len(must)}); missed: {missed}")
    assert recall >= 0.95, missed


def test_ordinary_sentences_are_not_flagged(defaults):
    ordinary = sentences("ordinary.txt")
    wrong = [s for s in ordinary if flagged(defaults, s)]
    rate = len(wrong) / len(ordinary)
    print(f"\ncrisis false positives: {rate:.1%} ({len(wrong)}/{len(ordinary)}); flagged: {wrong}")
    assert rate <= 0.05, wrong


@pytest.mark.parametrize("text", ["死にたくない", "死ぬほど笑った", "疲れて死にそう", "親が亡くなって相談したい"])
def test_negations_exaggerations_and_grief_are_not_a_crisis(defaults, text):
    assert not flagged(defaults, text)


def test_an_added_phrase_matches_its_inflections(defaults):
    extended = crisis.build([*DEFAULT_CRISIS_PHRASES, "遠くへ行ってしまいたい"], DEFAULT_CRISIS_WORDS, [])
    assert not flagged(defaults, "どこか遠くへ行っちゃいたい")
    assert flagged(extended, "どこか遠くへ行っちゃいたい")
