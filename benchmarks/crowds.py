"""The crowd data sets of the aggregation benchmarks: generated, or read from ``--datasets``.

By default the benchmarks run on crowds generated here, seeded and of known truth, so that
they need nothing outside the repository. Each generated crowd draws the true class of
every task from a class prior, gives every task answers from distinct workers (busy
workers answer more: activity is log-normal) and sends the answers in a shuffled order,
as they would arrive live. Three kinds of workers answer:

- *reliable*: right with their own accuracy (uniform in ``accuracy``), otherwise a
  uniformly drawn wrong class (a one-coin worker);
- *biased*: prefer the first class ("yes when unsure"): asked about a task of that class
  they say so 95% of the time, about another task they are right with their own accuracy
  and otherwise answer the first class (one-coin models miss them, Dawid–Skene does not);
- *spammers*: a uniformly drawn class, whatever the task.

Every task is in the gold file. ``--datasets DIR`` reads every folder of ``DIR`` that
holds ``labels.csv`` (``worker,task,label``) and ``gold.csv`` (``task,label``) instead:
the real data sets the figures in docs/aggregation.md were measured on are such folders
(see benchmarks/README.md for where to get them).
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

SEED = 0


@dataclass(frozen=True)
class DataSet:
    name: str
    tasks: list[str]
    workers: list[str]
    labels: list[str]
    gold: dict[str, str]


@dataclass(frozen=True)
class Crowd:
    """The recipe of one generated data set."""

    name: str
    n_tasks: int
    n_workers: int
    per_task: int
    prior: tuple[float, ...]
    biased: float = 0.0
    spammers: float = 0.0
    accuracy: tuple[float, float] = (0.6, 0.95)
    repeats: float = 0.0  # share of extra answers that repeat an earlier (worker, task) pair

    @property
    def n_classes(self) -> int:
        return len(self.prior)


CROWDS = (
    # Three answers a task, a skewed prior, a fifth of the workers spam.
    Crowd("gen_sparse", 8_000, 180, 3, (0.88, 0.12), spammers=0.2),
    # Twenty answers a task from a small crowd, a quarter of it biased.
    Crowd("gen_dense", 1_000, 85, 20, (0.5, 0.5), biased=0.25, spammers=0.15,
          accuracy=(0.55, 0.9)),
    # Four classes, a large crowd with few answers each, some repeated answers.
    Crowd("gen_4class", 3_000, 800, 8, (0.55, 0.2, 0.15, 0.1), biased=0.1, spammers=0.1,
          repeats=0.02),
    # Every worker answers every task; half of them are biased, the others are weak.
    Crowd("gen_biased", 108, 39, 39, (0.6, 0.4), biased=0.5, accuracy=(0.5, 0.7)),
    # Ten answers a task, over a third of the crowd spams.
    Crowd("gen_spammers", 800, 164, 10, (0.5, 0.5), spammers=0.35),
)


def generate(crowd: Crowd, seed: int = SEED) -> DataSet:
    """One generated data set: answers in arrival order, every task in the gold file."""
    rng = np.random.default_rng([seed, *crowd.name.encode()])
    k, n_workers = crowd.n_classes, crowd.n_workers
    truth = rng.choice(k, crowd.n_tasks, p=crowd.prior)
    kind = rng.choice(3, n_workers, p=[1 - crowd.biased - crowd.spammers, crowd.biased,
                                       crowd.spammers])
    skill = rng.uniform(*crowd.accuracy, n_workers)
    activity = rng.lognormal(0.0, 1.0, n_workers)
    activity /= activity.sum()
    workers = np.concatenate([
        rng.choice(n_workers, crowd.per_task, replace=False, p=activity)
        for _ in range(crowd.n_tasks)])
    tasks = np.repeat(np.arange(crowd.n_tasks), crowd.per_task)
    extra = rng.integers(0, tasks.size, round(crowd.repeats * tasks.size))
    tasks = np.concatenate([tasks, tasks[extra]])
    workers = np.concatenate([workers, workers[extra]])
    labels = _answers(rng, truth[tasks], kind[workers], skill[workers], k)
    order = rng.permutation(tasks.size)
    return DataSet(
        crowd.name,
        [f"t{t}" for t in tasks[order]],
        [f"w{w}" for w in workers[order]],
        [str(label) for label in labels[order]],
        {f"t{t}": str(c) for t, c in enumerate(truth)},
    )


def _answers(rng: np.random.Generator, truth: np.ndarray, kind: np.ndarray,
             skill: np.ndarray, k: int) -> np.ndarray:
    """Each answer's label, given the true class and the kind of its worker."""
    n = truth.size
    wrong = (truth + rng.integers(1, k, n)) % k
    right = rng.random(n) < skill
    labels = np.where(right, truth, wrong)
    biased = np.where(truth == 0, np.where(rng.random(n) < 0.95, 0, wrong),
                      np.where(right, truth, 0))
    labels = np.where(kind == 1, biased, labels)
    return np.where(kind == 2, rng.integers(0, k, n), labels)


def load(folder: Path) -> DataSet:
    """A data set folder: ``labels.csv`` in its order, ``gold.csv``; values kept as strings."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (folder / "gold.csv").open(newline="", encoding="utf-8") as handle:
        gold = {row["task"]: row["label"] for row in csv.DictReader(handle)}
    return DataSet(
        folder.name,
        [r["task"] for r in rows],
        [r["worker"] for r in rows],
        [r["label"] for r in rows],
        gold,
    )


def add_datasets_argument(parser: argparse.ArgumentParser) -> None:
    """--datasets, shared by the aggregation and adaptive replay benchmarks."""
    parser.add_argument(
        "--datasets",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of data set folders (labels.csv + gold.csv); default: the generated "
        f"crowds (seed {SEED}) of benchmarks/crowds.py",
    )


def describe(datasets: Path | None) -> str:
    """Where the data sets come from, for a benchmark's first line."""
    if datasets is None:
        return f"generated crowds (seed {SEED}; --datasets DIR for real ones)"
    return f"data sets in {datasets}"


def data_sources(datasets: Path | None) -> list[Callable[[], DataSet]]:
    """One loader per data set: the generated crowds, or each folder under ``datasets``
    with a ``labels.csv``, by name (a NOTE is printed when there is none)."""
    if datasets is None:
        return [partial(generate, crowd) for crowd in CROWDS]
    folders = []
    if datasets.is_dir():
        folders = sorted(p for p in datasets.iterdir() if (p / "labels.csv").is_file())
    if not folders:
        print(f"NOTE: no data set folder with labels.csv under {datasets}; use --datasets.")
    return [partial(load, folder) for folder in folders]
