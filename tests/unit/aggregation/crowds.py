"""Helpers for the aggregation tests: a seeded simulator of workers with known confusions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation import (
    GLAD,
    MACE,
    Aggregator,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    WeightedMajorityVote,
)

ALL_METHODS: dict[str, Callable[[], Aggregator]] = {
    "mv": MajorityVote,
    "wmv": WeightedMajorityVote,
    "ds": DawidSkene,
    "ods": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
}


@dataclass(frozen=True)
class Crowd:
    """Long-format answers plus the truth they were drawn from."""

    tasks: list[str]
    workers: list[str]
    labels: list[str]
    truth: dict[str, str]

    def shuffled(self, seed: int) -> Crowd:
        order = np.random.default_rng(seed).permutation(len(self.tasks))
        return Crowd(
            [self.tasks[i] for i in order],
            [self.workers[i] for i in order],
            [self.labels[i] for i in order],
            self.truth,
        )


def table(rows: str) -> tuple[list[str], list[str], list[str]]:
    """Parse ``"worker task label"`` lines into three columns."""
    parsed = [line.split() for line in rows.strip().splitlines()]
    return [r[1] for r in parsed], [r[0] for r in parsed], [r[2] for r in parsed]


def simulate(
    confusions: NDArray[np.float64],
    n_tasks: int,
    per_task: int,
    seed: int,
    priors: NDArray[np.float64] | None = None,
) -> Crowd:
    """Draw answers: each task gets ``per_task`` distinct workers, who answer from
    their confusion row ``confusions[w, truth]``."""
    rng = np.random.default_rng(seed)
    n_workers, k, _ = confusions.shape
    truth = rng.choice(k, size=n_tasks, p=priors)
    chosen = np.argsort(rng.random((n_tasks, n_workers)), axis=1)[:, :per_task]
    task_codes = np.repeat(np.arange(n_tasks), per_task)
    worker_codes = chosen.reshape(-1)
    rows = confusions[worker_codes, truth[task_codes]]
    labels = (rng.random(len(rows))[:, None] > np.cumsum(rows, axis=1)).sum(axis=1)
    return Crowd(
        [f"t{t}" for t in task_codes],
        [f"w{w}" for w in worker_codes],
        [f"c{c}" for c in labels],
        {f"t{t}": f"c{c}" for t, c in enumerate(truth)},
    )


def one_coin(accuracies: list[float], k: int) -> NDArray[np.float64]:
    """Confusion matrices of workers right with the given probabilities."""
    acc = np.asarray(accuracies)[:, None, None]
    eye = np.eye(k)[None]
    return np.asarray(acc * eye + (1 - acc) / (k - 1) * (1 - eye), dtype=np.float64)


def accuracy(predicted: dict[str, str] | dict[object, object], truth: dict[str, str]) -> float:
    return float(np.mean([predicted[t] == label for t, label in truth.items()]))
