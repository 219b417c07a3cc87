"""Majority vote (``mv``): each task gets its most frequent label."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fairlabel.aggregation._encoding import Answers, FloatArray
from fairlabel.aggregation.base import Aggregator, Result, decide, normalize_rows


@dataclass
class MajorityVote(Aggregator):
    """Majority vote with the shared tie rule.

    Probabilities are the vote shares of each task. Ties go to the label given most
    often over the whole data set, then to a seeded random choice.

    Attributes:
        seed: Seed of the random choice among fully tied labels.
        priors_: Share of all answers per class (the tie-break priority).
    """

    seed: int = 0
    priors_: FloatArray = field(init=False, repr=False, compare=False)

    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        votes = answers.vote_counts()
        self.priors_ = votes.sum(axis=0) / answers.n_answers
        labels = decide(votes, self.priors_, rng)
        return Result(answers.tasks, answers.classes, labels, normalize_rows(votes))
