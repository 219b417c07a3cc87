"""The simulation's synthetic work and its `--requesters` spec (no database)."""

from __future__ import annotations

import random

import pytest

from fairlabel.simulate.spec import DEFAULT, SpecError, parse
from fairlabel.simulate.strategies import BUILT_IN
from fairlabel.simulate.tasks import CHOICES, disguise, make_batch, paraphrase, reword
from fairlabel.simulate.workers import population


def test_a_paraphrase_swaps_about_a_third_of_the_words_and_keeps_the_numbers() -> None:
    rng = random.Random(1)
    batch = make_batch(rng, 200)
    kept = changed = 0
    for item in batch.items:
        before, after = item.text.split(" "), paraphrase(item.text, rng).split(" ")
        assert before[1] == after[1]  # the order number
        kept += sum(a == b for a, b in zip(before, after, strict=False))
        changed += sum(a != b for a, b in zip(before, after, strict=False))
    assert 0.2 < changed / (kept + changed) < 0.4


def test_disguised_work_keeps_each_message_s_truth() -> None:
    rng = random.Random(2)
    batch = make_batch(rng, 30, gold=5)
    hidden = disguise(batch, rng, paraphrased=True, shuffled=True)
    assert sorted(i.truth for i in hidden.items) == sorted(i.truth for i in batch.items)
    assert {i.text for i in hidden.items}.isdisjoint({i.text for i in batch.items})
    rows = hidden.rows(("good", "bad", "mixed"))
    assert rows[0]["gold"] == ("good", "bad", "mixed")[hidden.gold[0].truth]
    assert len(rows) == 35


def test_reworded_instructions_say_the_same_in_other_words() -> None:
    text = make_batch(random.Random(3), 1).instructions
    other = reword(text)
    assert other != text
    assert other.split(". ")[0] == text.split(". ")[0]  # the project's own first sentence
    assert "Look at each brief client note" in other
    assert all(choice in text for choice in ("Positive", "Negative", "Neutral"))


def test_each_project_has_work_of_its_own() -> None:
    rng = random.Random(4)
    first, second = make_batch(rng, 20), make_batch(rng, 20, like=None)
    assert first.instructions != second.instructions
    more = make_batch(rng, 5, like=first)
    assert more.instructions == first.instructions
    assert CHOICES == ("positive", "negative", "neutral")


def test_the_population_has_spammers_appealers_and_regular_workers() -> None:
    kinds = [p.kind for p in population(random.Random(5), 2000)]
    assert 0.03 < kinds.count("spammer") / 2000 < 0.07
    assert 0.07 < kinds.count("appealer") / 2000 < 0.13


def test_the_default_spec_names_fifty_requesters_of_every_built_in_strategy() -> None:
    parsed = parse(DEFAULT)
    assert sum(count for _, count in parsed) == 50
    assert {cls.label for cls, _ in parsed} == set(BUILT_IN)


def test_a_spec_names_counts_in_order() -> None:
    assert parse(" honest=2 , rejecter=1,") == [(BUILT_IN["honest"], 2),
                                               (BUILT_IN["rejecter"], 1)]
    with pytest.raises(SpecError, match="name at least one strategy"):
        parse(" , ")
