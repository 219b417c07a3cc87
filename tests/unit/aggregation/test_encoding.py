"""Answers: encoding of long-format columns, repeated pairs, declared classes, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from fairlabel.aggregation import Answers
from fairlabel.aggregation._encoding import encode


def test_codes_index_sorted_vocabularies() -> None:
    answers = Answers.from_sequences(["t2", "t1", "t2"], ["b", "a", "a"], ["y", "x", "x"])
    assert answers.tasks.tolist() == ["t1", "t2"]
    assert answers.workers.tolist() == ["a", "b"]
    assert answers.classes.tolist() == ["x", "y"]
    assert answers.tasks[answers.task_codes].tolist() == ["t2", "t1", "t2"]
    assert answers.classes[answers.label_codes].tolist() == ["y", "x", "x"]
    assert answers.task_codes.dtype == np.int32


@pytest.mark.parametrize(
    "values",
    [
        np.array([30, 10, 20, 10]),  # dense range: counting encoder
        np.array([3_000_000_000, 10, 20, 10]),  # sparse range: np.unique
        [30, 10, 20, 10],  # Python ints
    ],
)
def test_integer_ids_keep_their_values(values: object) -> None:
    codes, vocabulary = encode(values, "tasks")  # type: ignore[arg-type]
    assert vocabulary[codes].tolist() == list(np.asarray(values).tolist())
    assert vocabulary.tolist() == sorted(set(np.asarray(values).tolist()))


def test_mixed_strings_and_ints_are_compared_as_strings() -> None:
    codes, vocabulary = encode([1, "1", "a"], "labels")
    assert vocabulary.tolist() == ["1", "a"]
    assert codes.tolist() == [0, 0, 1]


def test_repeated_pair_keeps_the_last_answer() -> None:
    answers = Answers.from_sequences(
        ["t1", "t1", "t2", "t1"], ["a", "b", "a", "a"], ["x", "y", "y", "z"]
    )
    assert answers.n_repeats_dropped == 1
    kept = set(
        zip(
            answers.tasks[answers.task_codes].tolist(),
            answers.workers[answers.worker_codes].tolist(),
            answers.classes[answers.label_codes].tolist(),
            strict=True,
        )
    )
    assert kept == {("t1", "a", "z"), ("t1", "b", "y"), ("t2", "a", "y")}
    # a label only given in a replaced answer stays in the vocabulary
    assert answers.classes.tolist() == ["x", "y", "z"]


def test_declared_classes_include_labels_nobody_chose() -> None:
    answers = Answers.from_sequences(["t1"], ["a"], ["x"], classes=["z", "x", "y"])
    assert answers.classes.tolist() == ["x", "y", "z"]
    assert answers.label_codes.tolist() == [0]


def test_label_outside_declared_classes_is_an_error() -> None:
    with pytest.raises(ValueError, match="'w'"):
        Answers.from_sequences(["t1", "t2"], ["a", "a"], ["x", "w"], classes=["x", "y"])


@pytest.mark.parametrize(
    ("tasks", "workers", "labels", "message"),
    [
        ([], [], [], "no answers"),
        (["t1"], ["a", "b"], ["x"], "differ in length"),
        (["t1", "t2"], ["a", "b"], ["x", None], "missing"),
        (["t1"], ["a"], [float("nan")], "NaN"),
    ],
)
def test_bad_columns_are_rejected(
    tasks: list[object], workers: list[object], labels: list[object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Answers.from_sequences(tasks, workers, labels)  # type: ignore[arg-type]


def test_two_dimensional_column_is_rejected() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        encode(np.zeros((2, 2)), "tasks")


def test_vote_counts_weighted_by_worker() -> None:
    answers = Answers.from_sequences(["t1", "t1", "t1"], ["a", "b", "c"], ["x", "y", "y"])
    assert answers.vote_counts().tolist() == [[1.0, 2.0]]
    weights = np.array([3.0, 0.5, 0.5])
    assert answers.vote_counts(weights).tolist() == [[3.0, 1.0]]
