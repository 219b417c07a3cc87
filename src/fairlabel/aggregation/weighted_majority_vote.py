"""Weighted majority vote (``wmv``): votes weighted by each worker's estimated accuracy.

A worker's accuracy is measured against a reference: the gold label for tasks with
gold, otherwise the weighted consensus of the *other* workers on the task
(leave-one-out, so a worker never agrees with itself; tasks answered by one worker
say nothing about that worker). The accuracy is shrunk towards the crowd's mean
accuracy with ``2 * smoothing`` pseudo-answers (so a worker with no scored answer
counts as an average worker) and turned into the one-coin log-odds weight
``log((K - 1) * acc / (1 - acc))``, the optimal weight if each worker is right with
probability ``acc`` and otherwise uniformly wrong; workers no better than chance get
weight 0. Weights and consensus
are updated in turn until the labels stop changing (at most ``max_rounds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fairlabel.aggregation._encoding import Answers, FloatArray, LabelMap, encode_with_vocabulary
from fairlabel.aggregation.base import Aggregator, Result, decide, softmax_rows


def leave_one_out_agreement(answers: Answers, votes: FloatArray, weights: FloatArray) -> FloatArray:
    """Per answer, the share of the others' best classes that equals the answer.

    Args:
        answers: Encoded answers.
        votes: Weighted votes per task and class, including every answer.
        weights: Weight of each worker in ``votes``.

    Returns:
        Agreement in ``[0, 1]`` per answer (``1/m`` if the answer ties with ``m - 1``
        other classes), or NaN where no other worker voted with positive weight.
    """
    t, y = answers.task_codes, answers.label_codes
    others = votes[t]
    others[np.arange(t.size), y] -= weights[answers.worker_codes]
    best = others.max(axis=1)
    tied = others >= (best * (1.0 - 1e-9))[:, None]
    agreement = tied[np.arange(t.size), y] / tied.sum(axis=1)
    return np.where(best > 1e-12, agreement, np.nan)


@dataclass
class WeightedMajorityVote(Aggregator):
    """Weighted majority vote with weights from agreement with consensus or gold.

    Attributes:
        gold: Optional ``{task: label}``; where given, accuracy is measured on gold.
        smoothing: Half the number of pseudo-answers at the crowd's mean accuracy
            added to each worker's record.
        max_rounds: Maximum number of weight/consensus updates.
        seed: Seed of the random choice among fully tied labels.
        skills_: Smoothed accuracy of each worker against the reference.
        weights_: Vote weight of each worker.
        priors_: Share of all answers per class (the tie-break priority).
        n_iter_: Number of rounds run.
    """

    gold: LabelMap | None = None
    smoothing: float = 1.0
    max_rounds: int = 20
    seed: int = 0
    skills_: FloatArray = field(init=False, repr=False, compare=False)
    weights_: FloatArray = field(init=False, repr=False, compare=False)
    priors_: FloatArray = field(init=False, repr=False, compare=False)
    n_iter_: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.smoothing < 0 or self.max_rounds < 1:
            raise ValueError("need smoothing >= 0 and max_rounds >= 1")

    def _gold_agreement(self, answers: Answers) -> FloatArray:
        """Per answer: 1/0 if its task has gold (unknown gold labels count as 0), else NaN."""
        codes = np.full(answers.n_tasks, -1, dtype=np.int64)
        if self.gold:
            gold_tasks, gold_labels = list(self.gold), list(self.gold.values())
            task_codes, _ = encode_with_vocabulary(
                gold_tasks, answers.tasks, "gold tasks", allow_unknown=True
            )
            label_codes, _ = encode_with_vocabulary(
                gold_labels, answers.classes, "gold labels", allow_unknown=True
            )
            known = task_codes >= 0
            codes[task_codes[known]] = label_codes[known]
        reference = codes[answers.task_codes]
        matches = (reference == answers.label_codes).astype(np.float64)
        return np.where(reference == -1, np.nan, matches)

    def _weights(self, agreement: FloatArray, answers: Answers) -> FloatArray:
        seen = ~np.isnan(agreement)
        w = answers.worker_codes[seen]
        agree = np.bincount(w, agreement[seen], answers.n_workers)
        total = np.bincount(w, minlength=answers.n_workers).astype(np.float64)
        crowd = (agree.sum() + 1.0) / (total.sum() + 2.0)
        pseudo = 2.0 * self.smoothing
        self.skills_ = (agree + pseudo * crowd) / (total + pseudo)
        k = max(answers.n_classes - 1, 1)
        weights: FloatArray = np.maximum(np.log(k * self.skills_) - np.log1p(-self.skills_), 0.0)
        return weights

    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        gold_agreement = self._gold_agreement(answers)
        counts = np.bincount(answers.label_codes, minlength=answers.n_classes)
        self.priors_ = counts / answers.n_answers
        tie_seed = int(rng.integers(2**63))  # same tie draws in every round
        weights = np.ones(answers.n_workers)
        labels = np.full(answers.n_tasks, -1, dtype=np.int32)
        for round_ in range(1, self.max_rounds + 1):
            votes = answers.vote_counts(weights)
            agreement = leave_one_out_agreement(answers, votes, weights)
            agreement = np.where(np.isnan(gold_agreement), agreement, gold_agreement)
            weights = self._weights(agreement, answers)
            votes = answers.vote_counts(weights)
            previous = labels
            labels = decide(votes, self.priors_, np.random.default_rng(tie_seed))
            self.n_iter_ = round_
            if np.array_equal(labels, previous):
                break
        self.weights_ = weights
        probas = softmax_rows(votes)
        return Result(answers.tasks, answers.classes, labels, probas)
