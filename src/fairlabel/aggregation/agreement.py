"""Inter-annotator agreement: Krippendorff's alpha and per-worker agreement.

Krippendorff's alpha is computed from the coincidence matrix (K. Krippendorff,
"Computing Krippendorff's Alpha-Reliability", 2011): ``alpha = 1 - D_o / D_e``
with observed and expected disagreement under the metric of the chosen level of
measurement. Units with fewer than two values are not pairable and are ignored.
As for aggregation, a coder who gives several values to one unit counts with the
last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import (
    Answers,
    Column,
    FloatArray,
    Key,
    LabelMap,
    encode_with_vocabulary,
)

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


def coincidences(answers: Answers) -> FloatArray:
    """Return the ``(n_values, n_values)`` coincidence matrix of pairable units."""
    counts = sp.csr_array(
        (np.ones(answers.n_answers), (answers.task_codes, answers.label_codes)),
        shape=(answers.n_tasks, answers.n_classes),
    )
    per_unit = np.asarray(counts.sum(axis=1), dtype=np.float64).reshape(-1)
    scale = np.divide(1.0, per_unit - 1.0, out=np.zeros_like(per_unit), where=per_unit > 1)
    scaled = sp.csr_array(sp.diags_array(scale) @ counts)
    pairs = np.asarray((counts.T @ scaled).todense())
    diagonal = np.asarray(scaled.sum(axis=0), dtype=np.float64).reshape(-1)
    result: FloatArray = pairs - np.diag(diagonal)
    return result


def distance_matrix(values: NDArray[Any], marginals: FloatArray, level: Level) -> FloatArray:
    """Squared distances ``delta²`` between the sorted ``values`` at ``level``.

    Args:
        values: Sorted distinct values (numbers unless ``level`` is nominal/ordinal).
        marginals: Number of pairable values per distinct value (for ordinal).
        level: Level of measurement.
    """
    k = values.size
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
        index = np.arange(k)
        low, high = np.minimum.outer(index, index), np.maximum.outer(index, index)
        between = cumulative[high + 1] - cumulative[low]
        ordinal: FloatArray = (between - (marginals[low] + marginals[high]) / 2.0) ** 2
        return ordinal
    numbers = values.astype(np.float64)
    if level == "interval":
        return np.subtract.outer(numbers, numbers) ** 2
    total = np.add.outer(numbers, numbers)
    ratio = np.divide(
        np.subtract.outer(numbers, numbers), total, where=total != 0, out=np.zeros((k, k))
    )
    return ratio**2


def krippendorff_alpha(
    units: Column, coders: Column, values: Column, level: Level = "nominal"
) -> float:
    """Krippendorff's alpha over long-format data ``(unit, coder, value)``.

    Args:
        units: Unit (task) of each value.
        coders: Coder (worker) of each value.
        values: The values; numbers for ``interval`` and ``ratio``, sortable values
            for ``ordinal`` (compared in sorted order), anything for ``nominal``.
        level: Level of measurement.

    Returns:
        Alpha (1 = perfect agreement, 0 = chance level); NaN if fewer than two
        pairable values or no expected disagreement (a single value everywhere).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use {', '.join(LEVELS)}")
    if level in ("interval", "ratio"):
        values = as_numbers(values)
    answers = Answers.from_sequences(units, coders, values)
    observed = coincidences(answers)
    marginals = observed.sum(axis=1)
    n = float(marginals.sum())
    if n < 2:
        return float("nan")
    delta = distance_matrix(answers.classes, marginals, level)
    expected = (np.outer(marginals, marginals) * delta).sum() / (n - 1.0)
    if expected == 0:
        return float("nan")
    return float(1.0 - (observed * delta).sum() / expected)


def as_numbers(values: Column) -> FloatArray:
    """Convert values to float64, with a clear error for non-numeric ones."""
    try:
        return np.asarray(values, dtype=np.float64)
    except ValueError as error:
        raise ValueError(f"interval and ratio levels need numeric values: {error}") from None


@dataclass(frozen=True, eq=False)
class WorkerAgreement:
    """How often each worker's answers match a reference (consensus) label.

    Attributes:
        workers: Worker ids (sorted vocabulary).
        n_answers: Answers of each worker on tasks that have a reference label.
        n_agree: How many of those answers equal the reference.
    """

    workers: NDArray[Any]
    n_answers: NDArray[np.int64]
    n_agree: NDArray[np.int64]

    @property
    def rates(self) -> FloatArray:
        """Agreement rate per worker (NaN for workers with no scored answer)."""
        rates: FloatArray = np.divide(
            self.n_agree,
            self.n_answers,
            out=np.full(self.workers.size, np.nan),
            where=self.n_answers > 0,
        )
        return rates

    def to_dict(self) -> dict[Key, float]:
        """Return ``{worker: agreement rate}``."""
        return dict(zip(self.workers.tolist(), self.rates.tolist(), strict=True))


def worker_agreement(
    tasks: Column, workers: Column, labels: Column, reference: LabelMap
) -> WorkerAgreement:
    """Agreement of each worker with a reference label per task (e.g. a consensus).

    Args:
        tasks: Task id of each answer.
        workers: Worker id of each answer.
        labels: Label of each answer.
        reference: ``{task: label}``, e.g. ``MajorityVote().fit_predict(...)``;
            tasks without a reference label are not scored.
    """
    answers = Answers.from_sequences(tasks, workers, labels)
    ref_codes = np.full(answers.n_tasks, -2, dtype=np.int64)
    if reference:
        task_codes, _ = encode_with_vocabulary(
            list(reference), answers.tasks, "reference tasks", allow_unknown=True
        )
        label_codes, _ = encode_with_vocabulary(
            list(reference.values()), answers.classes, "reference labels", allow_unknown=True
        )
        known = task_codes >= 0
        ref_codes[task_codes[known]] = label_codes[known]
    expected = ref_codes[answers.task_codes]
    scored = expected != -2
    w = answers.worker_codes[scored]
    agree = expected[scored] == answers.label_codes[scored]
    return WorkerAgreement(
        answers.workers,
        np.bincount(w, minlength=answers.n_workers).astype(np.int64),
        np.bincount(w, weights=agree, minlength=answers.n_workers).astype(np.int64),
    )


def gold_accuracy(predicted: LabelMap, gold: LabelMap) -> tuple[float, int]:
    """Accuracy of ``predicted`` labels over the gold tasks that have a prediction.

    Args:
        predicted: ``{task: label}`` from an aggregator.
        gold: ``{task: true label}``; tasks nobody answered are not scored.

    Returns:
        ``(accuracy, number of tasks scored)``; accuracy is NaN if none is scored.
    """
    scored = [task for task in gold if task in predicted]
    if not scored:
        return float("nan"), 0
    correct = sum(predicted[task] == gold[task] for task in scored)
    return correct / len(scored), len(scored)
