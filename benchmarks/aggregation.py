"""Benchmark fairlabel's truth inference against crowd-kit on crowd data sets, and at scale.

For every data set — the generated crowds of known truth of ``benchmarks/crowds.py`` by
default, or every folder (``labels.csv`` + ``gold.csv``) under ``--datasets DIR``, such as
the real data sets listed in benchmarks/README.md — it runs each of our methods and, in
the same run, crowd-kit's corresponding method, and prints accuracy (over gold tasks
with at least one answer) and seconds (median of ``--repeat`` ``fit_predict`` calls,
input already in memory: Python lists of strings for us, a pandas DataFrame of strings
for crowd-kit). Then it times our Dawid-Skene and majority vote on ``--scale-answers``
simulated answers, each in a fresh subprocess so that the peak resident memory
(``resource.getrusage``) is its own.

crowd-kit and pandas are benchmark-only dependencies; install them in a separate venv::

    python3.11 -m venv benchmarks/.work/venv
    benchmarks/.work/venv/bin/pip install -e . crowd-kit pandas 'scikit-learn<1.6'
    benchmarks/.work/venv/bin/python benchmarks/aggregation.py --skip-slow-peers

(crowd-kit 1.4.2's ``Wawa`` needs scikit-learn < 1.6.)

Without crowd-kit the script says so and still measures ours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# One BLAS thread for every library: the machine has 2 cores and OpenBLAS threads
# thrash badly when other jobs run (set before numpy is imported).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
from crowds import DataSet, add_datasets_argument, data_sources, describe  # noqa: E402

from fairlabel.aggregation import METHODS, gold_accuracy, make_aggregator  # noqa: E402

PEERS = {
    "mv": "MajorityVote",
    "wmv": "Wawa",
    "ds": "DawidSkene",
    "ods": "OneCoinDawidSkene",
    "glad": "GLAD",
    "mace": "MACE",
}
SLOW_PEERS = {"glad", "mace"}
# crowd-kit 1.4.2 Dawid-Skene accuracy on the generated crowds (seed 0) and on the real data
# sets of benchmarks/README.md, used for the target check when crowd-kit is not importable.
REFERENCE_DS = {
    "gen_sparse": 0.9130,
    "gen_dense": 0.9950,
    "gen_4class": 0.9687,
    "gen_biased": 1.0000,
    "gen_spammers": 0.9625,
    "zheng_d_product": 0.9397,
    "zheng_d_possent": 0.9600,
    "zheng_s_adult": 0.7658,
    "zheng_d_duck": 0.8889,
    "snow_rte": 0.9275,
}


@dataclass(frozen=True)
class Run:
    accuracy: float
    seconds: float


def timed(fit_predict: Callable[[], dict[Any, Any]], repeat: int) -> tuple[dict[Any, Any], float]:
    seconds, predicted = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        predicted = fit_predict()
        seconds.append(time.perf_counter() - started)
    return predicted, statistics.median(seconds)


def run_ours(data: DataSet, method: str, repeat: int) -> Run:
    def fit_predict() -> dict[Any, Any]:
        return make_aggregator(method, seed=0).fit_predict(data.tasks, data.workers, data.labels)

    predicted, seconds = timed(fit_predict, repeat)
    return Run(gold_accuracy(predicted, data.gold)[0], seconds)


def import_crowdkit() -> tuple[Any, Any] | None:
    try:
        import crowdkit.aggregation as crowdkit_aggregation
        import pandas  # type: ignore[import-untyped]
    except ImportError as error:
        print(
            f"NOTE: crowd-kit is not importable ({error}); measuring fairlabel only.\n"
            "      Install it in a separate venv (see the module docstring) to compare.\n"
        )
        return None
    warnings.filterwarnings("ignore")
    return crowdkit_aggregation, pandas


def run_peer(crowdkit: tuple[Any, Any], data: DataSet, method: str, repeat: int) -> Run:
    aggregation, pandas = crowdkit
    frame = pandas.DataFrame({"task": data.tasks, "worker": data.workers, "label": data.labels})

    def fit_predict() -> dict[Any, Any]:
        series = getattr(aggregation, PEERS[method])().fit_predict(frame)
        return dict(zip(series.index.tolist(), series.tolist(), strict=True))

    predicted, seconds = timed(fit_predict, repeat)
    return Run(gold_accuracy(predicted, data.gold)[0], seconds)


def compare(args: argparse.Namespace) -> dict[tuple[str, str], tuple[Run, Run | None]]:
    sources = data_sources(args.datasets)
    if not sources:
        return {}
    crowdkit = import_crowdkit()
    results: dict[tuple[str, str], tuple[Run, Run | None]] = {}
    header = f"{'data set':<16} {'method':<6} {'ours acc':>8} {'ours s':>8} {'peer acc':>8}"
    print(header + f" {'peer s':>8} {'speed-up':>8}")
    for source in sources:
        data = source()
        for method in args.methods:
            ours = run_ours(data, method, args.repeat)
            peer = None
            if crowdkit is not None and not (args.skip_slow_peers and method in SLOW_PEERS):
                try:
                    repeat = 1 if method in SLOW_PEERS else args.repeat
                    peer = run_peer(crowdkit, data, method, repeat)
                except Exception as error:  # a peer bug must not stop the benchmark
                    print(f"  crowd-kit {PEERS[method]} failed: {type(error).__name__}: {error}")
            results[(data.name, method)] = (ours, peer)
            peer_text = "       -        -        -"
            if peer is not None:
                ratio = peer.seconds / max(ours.seconds, 1e-9)
                peer_text = f"{peer.accuracy:8.4f} {peer.seconds:8.3f} {ratio:7.1f}x"
            print(
                f"{data.name:<16} {method:<6} {ours.accuracy:8.4f} {ours.seconds:8.3f} {peer_text}"
            )
            sys.stdout.flush()
    return results


def summarize(results: dict[tuple[str, str], tuple[Run, Run | None]]) -> None:
    print("\nTotal seconds per method (data sets where both ran):")
    grand_ours = grand_peer = 0.0
    for method in dict.fromkeys(m for _, m in results):
        pairs = [(o, p) for (_, m), (o, p) in results.items() if m == method and p is not None]
        ours_all = sum(o.seconds for (_, m), (o, _) in results.items() if m == method)
        if not pairs:
            print(f"  {method:<6} ours {ours_all:8.3f} s   crowd-kit not run")
            continue
        ours, peer = sum(o.seconds for o, _ in pairs), sum(p.seconds for _, p in pairs)
        grand_ours, grand_peer = grand_ours + ours, grand_peer + peer
        print(f"  {method:<6} ours {ours:8.3f} s   crowd-kit {peer:8.3f} s   {peer / ours:7.1f}x")
    if grand_ours:
        ratio = grand_peer / grand_ours
        print(f"  all    ours {grand_ours:8.3f} s   crowd-kit {grand_peer:8.3f} s   {ratio:7.1f}x")
    check_ds_target(results)


def check_ds_target(results: dict[tuple[str, str], tuple[Run, Run | None]]) -> None:
    ds = {name: runs for (name, method), runs in results.items() if method == "ds"}
    if not ds:
        return
    print("\nTarget: our Dawid-Skene >= crowd-kit's - 0.005 on every set, >= 10x faster:")
    ours_time = peer_time = 0.0
    for name, (ours, peer) in ds.items():
        reference = peer.accuracy if peer is not None else REFERENCE_DS.get(name)
        if reference is None:
            print(f"  {name:<16} {ours.accuracy:.4f}, no reference figure without crowd-kit")
            continue
        verdict = "PASS" if ours.accuracy >= reference - 0.005 - 1e-9 else "FAIL"
        source = "measured" if peer is not None else "reference"
        print(f"  {name:<16} {ours.accuracy:.4f} vs {reference:.4f} ({source}) {verdict}")
        if peer is not None:
            ours_time, peer_time = ours_time + ours.seconds, peer_time + peer.seconds
    if ours_time:
        ratio = peer_time / ours_time
        verdict = "PASS" if ratio >= 10 else "FAIL"
        print(f"  time: {ours_time:.3f} s vs {peer_time:.3f} s = {ratio:.1f}x {verdict}")


def simulate(
    n_answers: int, per_task: int, n_workers: int, n_classes: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Int32 answers of one-coin workers (accuracy 0.55-0.95), distinct workers per task."""
    rng = np.random.default_rng(seed)
    n_tasks = n_answers // per_task
    truth = rng.integers(0, n_classes, n_tasks, dtype=np.int32)
    accuracy = rng.uniform(0.55, 0.95, n_workers)
    start = rng.integers(0, n_workers, n_tasks)
    step = rng.integers(1, n_workers // per_task, n_tasks)
    tasks = np.repeat(np.arange(n_tasks, dtype=np.int32), per_task)
    offsets = np.tile(np.arange(per_task), n_tasks)
    workers = ((start[tasks] + offsets * step[tasks]) % n_workers).astype(np.int32)
    del start, step, offsets
    right = rng.random(tasks.size) < accuracy[workers]
    wrong = (truth[tasks] + rng.integers(1, max(n_classes, 2), tasks.size)) % n_classes
    labels = np.where(right, truth[tasks], wrong).astype(np.int32)
    return tasks, workers, labels, truth


def scale_worker(method: str, n_answers: int, n_classes: int) -> None:
    """Run in a subprocess: simulate, fit, print one JSON line."""
    import resource

    started = time.perf_counter()
    tasks, workers, labels, truth = simulate(n_answers, 10, 20_000, n_classes, seed=0)
    simulated = time.perf_counter() - started
    input_mib = (tasks.nbytes + workers.nbytes + labels.nbytes) / 2**20
    started = time.perf_counter()
    model = make_aggregator(method).fit(tasks, workers, labels)
    seconds = time.perf_counter() - started
    predicted = model.result_.labels
    accuracy = float(np.mean(predicted == truth[model.result_.tasks]))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_iter = getattr(model, "n_iter_", None)
    report = {
        "method": method,
        "answers": int(tasks.size),
        "tasks": int(truth.size),
        "seconds": seconds,
        "simulate_seconds": simulated,
        "accuracy": accuracy,
        "peak_mib": peak_mib,
        "input_mib": input_mib,
        "n_iter": n_iter,
    }
    print(json.dumps(report))


def scale(args: argparse.Namespace) -> None:
    print(
        f"\nScale: {args.scale_answers:,} simulated answers (10 per task, 20,000 workers, "
        f"{args.scale_classes} classes, int32 ids), one fresh process per method:"
    )
    for method in ("mv", "ds"):
        command = [sys.executable, __file__, "--scale-worker", method]
        command += ["--scale-answers", str(args.scale_answers)]
        command += ["--scale-classes", str(args.scale_classes)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"  {method}: failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        iterations = f", {r['n_iter']} EM iterations" if r["n_iter"] else ""
        print(
            f"  {method:<3} fit {r['seconds']:6.2f} s{iterations}, accuracy {r['accuracy']:.4f}, "
            f"peak RSS {r['peak_mib']:,.0f} MiB (input arrays {r['input_mib']:.0f} MiB; "
            f"simulation took {r['simulate_seconds']:.1f} s)"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_datasets_argument(parser)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--skip-slow-peers", action="store_true", help="do not run crowd-kit's GLAD and MACE"
    )
    parser.add_argument("--scale-answers", type=int, default=10_000_000)
    parser.add_argument("--scale-classes", type=int, default=2)
    parser.add_argument("--skip-scale", action="store_true", help="skip the simulated run")
    parser.add_argument("--scale-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(args.methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}; choose from {', '.join(METHODS)}")
    return args


def main() -> None:
    args = parse_args()
    if args.scale_worker:
        scale_worker(args.scale_worker, args.scale_answers, args.scale_classes)
        return
    started = time.perf_counter()
    print(f"fairlabel aggregation benchmark, {describe(args.datasets)}\n")
    summarize(compare(args))
    if not args.skip_scale:
        scale(args)
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
