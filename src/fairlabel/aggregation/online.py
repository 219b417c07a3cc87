"""Online consensus of one task: the one-coin posterior after each answer, and the
adaptive-redundancy stopping rule.

The platform calls these on every answer of a project with a confidence target, with
worker accuracies from the last periodic refit (``OneCoinDawidSkene`` or
``DawidSkene``); a worker without an estimate yet counts as
``DEFAULT_WORKER_ACCURACY``. Pure Python (``math`` only): a task has a handful of
answers, and importing this module loads neither numpy nor scipy.

One-coin model: a worker of accuracy ``a`` gives the true class with probability
``a`` and each of the ``K - 1`` other classes with probability ``(1 - a) / (K - 1)``,
independently of the other workers given the truth. Hence::

    P(true = c | answers) ∝ prior(c) × Π_i [a_i if label_i == c else (1 - a_i) / (K - 1)]

See docs/aggregation.md, "Adaptive redundancy".
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

DEFAULT_WORKER_ACCURACY = 0.7
"""The accuracy assumed for a worker with no estimate yet."""

ACCURACY_CLIP = 1e-3
"""Accuracies are clipped to ``[ACCURACY_CLIP, 1 - ACCURACY_CLIP]``: no single answer
is ever certain, so a later answer can still move the posterior."""


def task_posterior(
    labels: Sequence[Hashable],
    accuracies: Sequence[float],
    classes: Sequence[Hashable],
    prior: Mapping[Hashable, float] | None = None,
) -> dict[Hashable, float]:
    """Posterior probability of every class of one task under the one-coin model.

    Args:
        labels: The task's answers, one per worker.
        accuracies: Each answer's worker accuracy (same length as ``labels``),
            clipped to ``[1e-3, 1 - 1e-3]``.
        classes: The possible classes. Labels not among them are added as extra
            classes, after them, in order of first appearance. The error of a worker
            is spread over ``K - 1`` classes with ``K = max(number of classes, 2)``.
        prior: Optional prior weight of each class (non-negative, normalised here);
            a class missing from the mapping gets weight 0. Uniform by default.

    Returns:
        ``{class: probability}`` for every class (declared first, then extra labels),
        summing to 1. Computed in log space, so hundreds of answers do not underflow.
        With no answers, the prior.

    Raises:
        ValueError: If ``labels`` and ``accuracies`` differ in length, an accuracy is
            not a finite number, there is no class at all, or the prior has a negative
            or non-finite weight or gives no weight to any class.
    """
    if len(labels) != len(accuracies):
        raise ValueError(
            f"labels and accuracies differ in length: {len(labels)} != {len(accuracies)}"
        )
    index: dict[Hashable, int] = {}
    for label in (*classes, *labels):
        index.setdefault(label, len(index))
    if not index:
        raise ValueError("no class: pass the possible classes or at least one answer")
    spread = math.log(max(len(index), 2) - 1)
    scores = _log_prior(index, prior)
    for label, accuracy in zip(labels, accuracies, strict=True):
        if not math.isfinite(accuracy):
            raise ValueError(f"accuracy must be a finite number, got {accuracy!r}")
        a = min(max(float(accuracy), ACCURACY_CLIP), 1.0 - ACCURACY_CLIP)
        # Relative to "wrong" (a constant over classes, dropped): log(a / ((1 - a) / (K - 1))).
        scores[index[label]] += math.log(a) - math.log1p(-a) + spread
    top = max(scores)
    weights = [math.exp(score - top) for score in scores]
    total = math.fsum(weights)
    return {label: weights[i] / total for label, i in index.items()}


def _log_prior(
    index: Mapping[Hashable, int], prior: Mapping[Hashable, float] | None
) -> list[float]:
    if prior is None:
        return [0.0] * len(index)
    weights = [float(prior.get(label, 0.0)) for label in index]
    if any(not math.isfinite(w) or w < 0 for w in weights):
        raise ValueError(f"prior weights must be finite and non-negative, got {dict(prior)}")
    if not any(weights):
        raise ValueError("the prior gives no weight to any class")
    return [math.log(w) if w > 0 else -math.inf for w in weights]


def settled(
    confidence: float,
    answers: int,
    *,
    target: float | None,
    min_answers: int = 2,
    max_answers: int,
) -> bool:
    """Whether a task needs no more answers.

    True when ``answers >= max_answers`` (its redundancy is used up), or when a
    confidence ``target`` is set, the task has at least ``min_answers`` answers and
    the confidence of its consensus reached the target.
    """
    if answers >= max_answers:
        return True
    return target is not None and answers >= min_answers and confidence >= target
