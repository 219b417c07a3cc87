"""Krippendorff's alpha against published and hand-computed values; worker agreement."""

from __future__ import annotations

import math

import pytest

from fairlabel.aggregation import gold_accuracy, krippendorff_alpha, worker_agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
# 4 observers, 12 units, values 1-5, None = missing.
RELIABILITY_DATA = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def long_format(matrix: dict[str, list[int | None]]) -> tuple[list[int], list[str], list[int]]:
    rows = [
        (unit, coder, value)
        for coder, values in matrix.items()
        for unit, value in enumerate(values)
        if value is not None
    ]
    units, coders, values = zip(*rows, strict=True)
    return list(units), list(coders), list(values)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_published_example(level: str, expected: float) -> None:
    alpha = krippendorff_alpha(*long_format(RELIABILITY_DATA), level=level)  # type: ignore[arg-type]
    assert alpha == pytest.approx(expected, abs=5e-4)


def test_hand_computed_binary_example() -> None:
    # Units (a,a), (a,b), (b,b), (b,b): o_aa = 2, o_ab = o_ba = 1, o_bb = 4, n = 8,
    # n_a = 3, n_b = 5: alpha = 1 - (n - 1) * 2 / (2 * n_a * n_b) = 1 - 14 / 30.
    units = [1, 1, 2, 2, 3, 3, 4, 4]
    coders = ["p", "q"] * 4
    values = ["a", "a", "a", "b", "b", "b", "b", "b"]
    assert krippendorff_alpha(units, coders, values) == pytest.approx(8 / 15)


def test_perfect_agreement_and_unpairable_units() -> None:
    units, coders, values = [1, 1, 2, 2, 3], ["p", "q", "p", "q", "p"], [1, 1, 2, 2, 7]
    assert krippendorff_alpha(units, coders, values, "interval") == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([1, 2], ["p", "p"], ["x", "y"]))
    assert math.isnan(krippendorff_alpha([1, 1], ["p", "q"], ["x", "x"]))


def test_interval_needs_numbers() -> None:
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([1, 1], ["p", "q"], ["low", "high"], "interval")


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha([1, 1], ["p", "q"], ["x", "y"], "fuzzy")  # type: ignore[arg-type]


def test_worker_agreement_with_consensus() -> None:
    tasks = ["t1", "t1", "t2", "t2", "t3"]
    workers = ["a", "b", "a", "b", "b"]
    labels = ["x", "y", "x", "x", "z"]
    result = worker_agreement(tasks, workers, labels, {"t1": "x", "t2": "x"})
    assert result.workers.tolist() == ["a", "b"]
    assert result.n_answers.tolist() == [2, 2]
    assert result.n_agree.tolist() == [2, 1]
    assert result.to_dict() == {"a": 1.0, "b": 0.5}


def test_gold_accuracy_scores_only_answered_tasks() -> None:
    assert gold_accuracy({"t1": "x", "t2": "y"}, {"t1": "x", "t2": "x", "t9": "x"}) == (0.5, 2)
    accuracy, scored = gold_accuracy({"t1": "x"}, {"t9": "x"})
    assert math.isnan(accuracy) and scored == 0
