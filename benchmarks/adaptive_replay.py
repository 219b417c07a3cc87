"""Replay crowdsourcing data sets as if their answers arrived live, with adaptive redundancy.

For every data set — the generated crowds of ``benchmarks/crowds.py`` by default, or every
folder (``labels.csv`` + ``gold.csv``) under ``--datasets DIR``, such as the real data sets
listed in benchmarks/README.md — and every confidence target, the answers are replayed in
their order (the file's order; a generated crowd's answers come shuffled). An arriving
answer of a task is consumed only while the task is not settled: ``settled(confidence,
answers consumed, target=..., min_answers=2, max_answers=every answer the task has)``, where
``confidence`` is the largest class probability of ``task_posterior`` over the answers
consumed so far, with the current accuracy estimates of their workers (uniform class
prior, as on the platform). Worker accuracies are re-estimated every ``--refit-every``
of the stream (5%) by fitting ``OneCoinDawidSkene`` on the answers consumed so far; a
worker without an estimate counts as ``DEFAULT_WORKER_ACCURACY``. The platform accepts
one answer per worker and task, so a repeated (worker, task) pair in the file is
replayed once (its first answer), here and in the "all answers" baseline.

At the end the consensus of each task is ``DawidSkene`` and ``OneCoinDawidSkene``
fitted on the consumed answers, and the table compares their accuracy on gold (tasks
with at least one answer) with the same method fitted on every answer. No setting
depends on the data set.

Run from the repository root (numpy and scipy only, no crowd-kit needed)::

    .venv/bin/python benchmarks/adaptive_replay.py
    .venv/bin/python benchmarks/adaptive_replay.py --datasets path/to/datasets
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from crowds import DataSet, add_datasets_argument, data_sources, describe  # noqa: E402

from fairlabel.aggregation import (  # noqa: E402
    DEFAULT_WORKER_ACCURACY,
    Aggregator,
    DawidSkene,
    OneCoinDawidSkene,
    gold_accuracy,
    settled,
    task_posterior,
)

CONSENSUS: dict[str, Callable[[], Aggregator]] = {"ds": DawidSkene, "ods": OneCoinDawidSkene}


@dataclass(frozen=True)
class Stream:
    name: str
    tasks: list[str]
    workers: list[str]
    labels: list[str]
    gold: dict[str, str]
    repeats_skipped: int

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))


@dataclass(frozen=True)
class Replay:
    target: float
    used: int
    total: int
    stopped_early: int
    n_tasks: int
    refits: int
    accuracy: dict[str, float]
    online_accuracy: float
    seconds: float


def to_stream(data: DataSet) -> Stream:
    """The answers in order, each (worker, task) pair once (its first answer)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for task, worker, label in zip(data.tasks, data.workers, data.labels, strict=True):
        if (worker, task) not in seen:
            seen.add((worker, task))
            kept.append((task, worker, label))
    return Stream(data.name, [t for t, _, _ in kept], [w for _, w, _ in kept],
                  [label for _, _, label in kept], data.gold, len(data.tasks) - len(kept))


def consensus_accuracy(
    method: str,
    tasks: Sequence[str],
    workers: Sequence[str],
    labels: Sequence[str],
    gold: dict[str, str],
) -> float:
    predicted = CONSENSUS[method]().fit_predict(tasks, workers, labels)
    return gold_accuracy(predicted, gold)[0]


def replay(stream: Stream, target: float, min_answers: int, refit_every: float) -> Replay:
    started = time.perf_counter()
    classes = stream.classes
    total_of: dict[str, int] = {}
    for task in stream.tasks:
        total_of[task] = total_of.get(task, 0) + 1
    consumed: dict[str, list[tuple[str, str]]] = {task: [] for task in total_of}
    used_rows: list[int] = []
    accuracy_of: dict[str, float] = {}
    n = len(stream.tasks)
    step = max(1, round(refit_every * n))
    refits = 0
    online: dict[str, str] = {}  # the online consensus of a task when it was found settled
    for i, (task, worker, label) in enumerate(
        zip(stream.tasks, stream.workers, stream.labels, strict=True)
    ):
        if i and i % step == 0 and used_rows:
            accuracy_of = fit_accuracies(stream, used_rows)
            refits += 1
        answers = consumed[task]
        if answers:
            best, confidence = online_consensus(answers, accuracy_of, classes)
            if settled(
                confidence,
                len(answers),
                target=target,
                min_answers=min_answers,
                max_answers=total_of[task],
            ):
                online[task] = best
                continue
        answers.append((worker, label))
        used_rows.append(i)
    for task, answers in consumed.items():  # the others: after their last answer
        if task not in online:
            online[task] = online_consensus(answers, accuracy_of, classes)[0]
    stopped_early = sum(1 for task, answers in consumed.items() if len(answers) < total_of[task])
    used = (
        [stream.tasks[i] for i in used_rows],
        [stream.workers[i] for i in used_rows],
        [stream.labels[i] for i in used_rows],
    )
    accuracy = {method: consensus_accuracy(method, *used, stream.gold) for method in CONSENSUS}
    return Replay(
        target,
        len(used_rows),
        n,
        stopped_early,
        len(total_of),
        refits,
        accuracy,
        gold_accuracy(online, stream.gold)[0],
        time.perf_counter() - started,
    )


def online_consensus(
    answers: list[tuple[str, str]], accuracy_of: dict[str, float], classes: list[str]
) -> tuple[str, float]:
    """The most probable class of a task and its probability under ``task_posterior``
    (uniform class prior; a tie goes to the first class in sorted order)."""
    labels = [label for _, label in answers]
    accuracies = [accuracy_of.get(worker, DEFAULT_WORKER_ACCURACY) for worker, _ in answers]
    posterior = task_posterior(labels, accuracies, classes)
    best = max(posterior, key=posterior.__getitem__)
    return str(best), posterior[best]


def fit_accuracies(stream: Stream, rows: list[int]) -> dict[str, float]:
    """One-coin Dawid-Skene on the consumed answers: each worker's estimated accuracy."""
    model = OneCoinDawidSkene().fit(
        [stream.tasks[i] for i in rows],
        [stream.workers[i] for i in rows],
        [stream.labels[i] for i in rows],
    )
    return dict(zip(model.workers_.tolist(), model.skills_.tolist(), strict=True))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_datasets_argument(parser)
    parser.add_argument("--targets", default="0.9,0.95,0.99", help="comma-separated targets")
    parser.add_argument("--min-answers", type=int, default=2)
    parser.add_argument(
        "--refit-every", type=float, default=0.05, help="share of the stream between refits"
    )
    args = parser.parse_args()
    args.targets = [float(t) for t in args.targets.split(",") if t.strip()]
    return args


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    sources = data_sources(args.datasets)
    if not sources:
        return
    print(
        f"Adaptive redundancy replay, {describe(args.datasets)}: min_answers "
        f"{args.min_answers}, max = every answer of the task, worker accuracies refitted "
        f"(OneCoinDawidSkene) every {args.refit_every:.0%} of the stream, "
        f"default accuracy {DEFAULT_WORKER_ACCURACY}\n"
    )
    header = (
        f"{'data set':<16} {'target':>6} {'answers used / total':>22} {'saved':>6} "
        f"{'early':>6} {'online':>6} {'ds adapt':>8} {'ds all':>7} {'ods adapt':>9} "
        f"{'ods all':>7} {'s':>5}"
    )
    print(header)
    for source in sources:
        replay_data_set(to_stream(source()), args)
    print(
        "\nsaved = share of answers not needed; early = share of tasks settled before their "
        "last answer;\nonline = gold accuracy of the online consensus (task_posterior) when "
        "each task was found settled;\nds/ods adapt = gold accuracy of the method fitted on the "
        "answers used, all = on every answer."
    )
    print(f"Total time: {time.perf_counter() - started:.0f} s")


def replay_data_set(stream: Stream, args: argparse.Namespace) -> None:
    """The table's rows of one data set: one replay per target."""
    everything = {
        method: consensus_accuracy(method, stream.tasks, stream.workers, stream.labels, stream.gold)
        for method in CONSENSUS
    }
    for target in args.targets:
        r = replay(stream, target, args.min_answers, args.refit_every)
        used = f"{r.used:,} / {r.total:,}"
        print(
            f"{stream.name:<16} {target:>6.2f} {used:>22} {1 - r.used / r.total:>6.1%} "
            f"{r.stopped_early / r.n_tasks:>6.1%} {r.online_accuracy:>6.4f} "
            f"{r.accuracy['ds']:>8.4f} "
            f"{everything['ds']:>7.4f} {r.accuracy['ods']:>9.4f} {everything['ods']:>7.4f} "
            f"{r.seconds:>5.1f}"
        )
        sys.stdout.flush()
    if stream.repeats_skipped:
        print(
            f"{'':<16} ({stream.repeats_skipped:,} repeated (worker, task) answers "
            "not replayed)"
        )


if __name__ == "__main__":
    main()
