"""Consensus of boxes, spans and rankings on simulated annotators whose truth is known.

Every task is answered by 5 of 11 workers: 10 with their own skill and one bad worker.
Boxes: images with 0-6 true boxes of 3 labels; workers add edge noise, miss boxes, draw false
ones and slip labels. Scored by matched IoU against the truth (``matched_iou``: boxes paired
by label at IoU >= 0.5 count their IoU, missed and false boxes 0), mean over images, for
``BoxConsensus``, the mean of every cluster of its matching (no median, no majority filter)
and single workers; then the time to fit 100,000 boxes. Spans: texts of 10-30 words with 0-4
names; workers miss names, slip labels, move a boundary by a character or a word, take in a
comma or mark a stray word. Scored by span F1 for both modes, every span anyone marked and
single workers. Rankings: 2-9 responses with hidden utilities, ordered by a Plackett-Luce draw
with each worker's precision (the bad worker at random). Scored by Kendall's tau against the
true order; then ``response_scores`` on responses drawn from a shared pool against their
true quality. Deterministic for a seed; about 20 seconds of CPU with the defaults.

    .venv/bin/python benchmarks/structured_consensus.py [--seed 0] [--images 2000]
        [--texts 2000] [--rankings 2000] [--scale-boxes 100000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import kendalltau

from fairlabel.aggregation import (
    BoxConsensus,
    RankingConsensus,
    SpanConsensus,
    kendall_tau,
    matched_iou,
    response_scores,
    span_f1,
)
from fairlabel.aggregation.boxes import TaskBoxes, cluster_boxes, parse_boxes, to_answer
from fairlabel.aggregation.spans import f1

BOX_LABELS = ("car", "person", "sign")
SPAN_LABELS = ("PER", "LOC", "ORG")
WORKERS_PER_TASK = 5
N_GOOD = 10
Row = tuple[int, str, Any]


@dataclass(frozen=True)
class Annotator:
    """One simulated worker: how often and how badly they err."""

    name: str
    noise: float  # edge noise, as a share of the box's size
    miss: float
    false_rate: float  # expected stray boxes or spans per task
    slip: float  # chance of a wrong label (spans: also of a boundary error)


def annotators(rng: np.random.Generator) -> list[Annotator]:
    good = [Annotator(f"w{i:02d}", rng.uniform(0.03, 0.10), rng.uniform(0.05, 0.20),
                      rng.uniform(0.05, 0.40), rng.uniform(0.0, 0.10)) for i in range(N_GOOD)]
    return [*good, Annotator("bad", 0.30, 0.40, 1.5, 0.5)]


def crowd_rows(rng: np.random.Generator, workers: Sequence[Annotator], n_tasks: int,
               answer: Callable[[int, Annotator], Any]) -> list[Row]:
    rows = []
    for task in range(n_tasks):
        for index in rng.choice(len(workers), WORKERS_PER_TASK, replace=False):
            rows.append((task, workers[index].name, answer(task, workers[index])))
    return rows


def columns(rows: Sequence[Row]) -> tuple[list[int], list[str], list[Any]]:
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def per_worker(rows: Sequence[Row], score: Callable[[int, Any], float]) -> dict[str, float]:
    scores: defaultdict[str, list[float]] = defaultdict(list)
    for task, worker, answer in rows:
        scores[worker].append(score(task, answer))
    return {worker: statistics.fmean(values) for worker, values in scores.items()}


def print_workers(scores: dict[str, float]) -> float:
    good = {w: s for w, s in scores.items() if w != "bad"}
    best = max(good, key=good.__getitem__)
    print(f"  {'best single worker, chosen by the truth (' + best + ')':46} {good[best]:.4f}")
    print(f"  {'median worker':46} {statistics.median(good.values()):.4f}")
    print(f"  {'the bad worker':46} {scores['bad']:.4f}")
    return good[best]


def verdict(name: str, ours: float, other: float) -> None:
    print(f"  {'PASS' if ours > other else 'FAIL'}: {name} {ours:.4f} > {other:.4f}")


# -- Boxes ------------------------------------------------------------------------------------

def true_image(rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    k = int(rng.integers(0, 7))
    size = rng.uniform(0.05, 0.35, (k, 2))
    corner = rng.uniform(0.0, 1.0, (k, 2)) * (1.0 - size)
    return np.hstack([corner, corner + size]), [str(rng.choice(BOX_LABELS)) for _ in range(k)]


def canonical_boxes(edges: np.ndarray, labels: Sequence[str]) -> list[dict[str, Any]]:
    low = np.clip(edges[:, :2], 0.0, 0.999)
    edges = np.hstack([low, np.clip(np.maximum(edges[:, 2:], low + 1e-3), 0.0, 1.0)])
    boxes = [{"label": label, "x": left, "y": top, "width": right - left, "height": bottom - top}
             for label, (left, top, right, bottom) in zip(labels, edges.tolist(), strict=True)]
    return to_answer(parse_boxes(boxes))


def draw_boxes(rng: np.random.Generator, worker: Annotator, edges: np.ndarray,
               labels: list[str]) -> list[dict[str, Any]]:
    keep = rng.random(len(labels)) >= worker.miss
    size = np.tile(edges[:, 2:] - edges[:, :2], 2)
    noisy = edges + rng.normal(0.0, worker.noise, edges.shape) * size
    drawn = [str(rng.choice(BOX_LABELS)) if rng.random() < worker.slip else label
             for label in labels]
    stray, stray_labels = true_image(rng)
    n_stray = min(int(rng.poisson(worker.false_rate)), len(stray_labels))
    kept = [label for label, k in zip(drawn, keep, strict=True) if k]
    return canonical_boxes(np.vstack([noisy[keep], stray[:n_stray]]),
                           kept + stray_labels[:n_stray])


def mean_of_clusters(rows: Sequence[Row], majority: bool) -> dict[int, list[dict[str, Any]]]:
    """The clusters of ``BoxConsensus``'s matching, averaged (all, or a majority's)."""
    by_task: defaultdict[int, list[Any]] = defaultdict(list)
    for task, _, answer in rows:
        by_task[task].append(parse_boxes(answer))
    result = {}
    for task, answers in by_task.items():
        boxes = TaskBoxes.of(answers)
        clusters = [c for c in cluster_boxes(boxes, 0.5)
                    if not majority or 2 * len(c) > len(answers)]
        means = np.array([boxes.edges[list(c.values())].mean(axis=0) for c in clusters])
        labels = [str(boxes.labels[next(iter(c.values()))]) for c in clusters]
        result[task] = canonical_boxes(means.reshape(-1, 4), labels)
    return result


def bench_boxes(seed: int, n_images: int) -> None:
    rng = np.random.default_rng(seed)
    workers = annotators(rng)
    truth = [true_image(rng) for _ in range(n_images)]
    gold = [canonical_boxes(edges, labels) for edges, labels in truth]
    rows = crowd_rows(rng, workers, n_images, lambda t, w: draw_boxes(rng, w, *truth[t]))
    n_boxes = sum(len(r[2]) for r in rows)
    print(f"Boxes: {n_images:,} images, 0-6 true boxes of {len(BOX_LABELS)} labels "
          f"({sum(len(g) for g in gold):,} in all), {WORKERS_PER_TASK} answers per image from "
          f"{len(workers)} workers (one bad), {n_boxes:,} boxes drawn")
    print("  score: matched IoU against the truth (pairs at IoU >= 0.5 count their IoU, misses "
          "and false boxes 0), mean over images")
    started = time.perf_counter()
    consensus = BoxConsensus().fit_predict(*columns(rows))
    seconds = time.perf_counter() - started
    ours = statistics.fmean(matched_iou(consensus[t], gold[t]) for t in range(n_images))
    mean_all, mean_majority = (
        statistics.fmean(matched_iou(averaged[t], gold[t]) for t in range(n_images))
        for averaged in (mean_of_clusters(rows, False), mean_of_clusters(rows, True)))
    print(f"  {'BoxConsensus (majority, median edges)':46} {ours:.4f}   ({seconds:.2f} s)")
    print(f"  {'every cluster averaged (no majority filter)':46} {mean_all:.4f}")
    print(f"  {'majority clusters, mean edges':46} {mean_majority:.4f}")
    best = print_workers(per_worker(rows, lambda t, a: matched_iou(a, gold[t])))
    verdict("consensus beats the best single worker", ours, best)
    verdict("consensus beats averaging every box", ours, mean_all)


def bench_box_scale(seed: int, n_boxes: int) -> None:
    rng = np.random.default_rng(seed + 1)
    workers = annotators(rng)
    rows: list[Row] = []
    drawn, task = 0, 0
    while drawn < n_boxes:
        edges, labels = true_image(rng)
        for index in rng.choice(len(workers), WORKERS_PER_TASK, replace=False):
            answer = draw_boxes(rng, workers[index], edges, labels)
            rows.append((task, workers[index].name, answer))
            drawn += len(answer)
        task += 1
    started, cpu = time.perf_counter(), time.process_time()
    BoxConsensus().fit(*columns(rows))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  time to fit {drawn:,} boxes ({task:,} images, {len(rows):,} answers): "
          f"{seconds:.2f} s, {cpu:.2f} s of CPU ({drawn / cpu:,.0f} boxes per CPU second)")


# -- Spans ------------------------------------------------------------------------------------

WORDS = ("the", "of", "report", "said", "new", "market", "city", "river", "team", "north",
         "quiet", "plan", "board", "early", "late", "winter", "harbour", "station", "council",
         "museum", "bridge", "press", "hall", "valley", "office")
Span = tuple[int, int, str]


@dataclass(frozen=True)
class Text:
    text: str
    tokens: list[tuple[int, int]]  # offsets of words and commas
    words: list[int]  # indices of the word tokens
    truth: list[Span]


def true_text(rng: np.random.Generator) -> Text:
    pieces: list[str] = []
    for _ in range(int(rng.integers(10, 31))):
        pieces.append(str(rng.choice(WORDS)))
        if rng.random() < 0.15:
            pieces.append(",")
    entities: list[tuple[int, int]] = []
    for first in sorted(rng.choice(len(pieces), int(rng.integers(0, 5)), replace=False).tolist()):
        last = min(first + int(rng.integers(0, 3)), len(pieces) - 1)
        run = range(first, last + 1)
        if all(pieces[i] != "," for i in run) and all(first > e[1] + 1 for e in entities):
            entities.append((first, last))
            for i in run:
                pieces[i] = pieces[i].capitalize()
    text, tokens = "", []
    for piece in pieces:
        text += "" if not text or piece == "," else " "
        tokens.append((len(text), len(text) + len(piece)))
        text += piece
    truth = [(tokens[a][0], tokens[b][1], str(rng.choice(SPAN_LABELS))) for a, b in entities]
    return Text(text, tokens, [i for i, p in enumerate(pieces) if p != ","], truth)


def slip_boundary(rng: np.random.Generator, text: Text, span: Span) -> Span:
    """Move one boundary: a character short, the comma after it, or a word more or less."""
    start, end, label = span
    kind = rng.integers(4)
    if kind == 0 and end - start > 1:
        return start, end - 1, label
    if kind == 1 and text.text[end:end + 1] == ",":
        return start, end + 1, label
    inside = [t for t in text.words if start <= text.tokens[t][0] < end]
    if kind == 2 and len(inside) > 1:
        return start, text.tokens[inside[-2]][1], label
    after = [t for t in text.words if text.tokens[t][0] >= end + 1]
    return (start, text.tokens[after[0]][1], label) if after else span


def draw_spans(rng: np.random.Generator, worker: Annotator, text: Text) -> list[dict[str, Any]]:
    spans: list[Span] = []
    for span in text.truth:
        if rng.random() < worker.miss:
            continue
        if rng.random() < worker.slip:
            span = (span[0], span[1], str(rng.choice(SPAN_LABELS)))
        spans.append(slip_boundary(rng, text, span) if rng.random() < worker.slip else span)
    for _ in range(int(rng.poisson(worker.false_rate))):
        start, end = text.tokens[int(rng.choice(text.words))]
        spans.append((start, end, str(rng.choice(SPAN_LABELS))))
    kept: list[Span] = []
    for span in sorted(spans):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return [{"start": s, "end": e, "label": label} for s, e, label in kept]


def union_f1(rows: Sequence[Row], texts: Sequence[Text]) -> float:
    """Span F1 of every span anyone marked (no majority filter)."""
    marked: defaultdict[int, set[Span]] = defaultdict(set)
    for task, _, answer in rows:
        marked[task] |= {(s["start"], s["end"], s["label"]) for s in answer}
    return statistics.fmean(f1(sorted(marked[task]), text.truth)
                            for task, text in enumerate(texts))


def bench_spans(seed: int, n_texts: int) -> None:
    rng = np.random.default_rng(seed + 2)
    workers = annotators(rng)
    texts = [true_text(rng) for _ in range(n_texts)]
    gold = [[{"start": s, "end": e, "label": lab} for s, e, lab in t.truth] for t in texts]
    rows = crowd_rows(rng, workers, n_texts, lambda t, w: draw_spans(rng, w, texts[t]))
    print(f"\nSpans: {n_texts:,} texts of 10-30 words, 0-4 true names of {len(SPAN_LABELS)} "
          f"labels ({sum(len(g) for g in gold):,} in all), {WORKERS_PER_TASK} answers per text "
          f"from {len(workers)} workers (one bad)")
    print("  score: span F1 against the truth (exact start, end and label), mean over texts")
    scores = {}
    for mode in ("span", "token"):
        started = time.perf_counter()
        consensus = SpanConsensus(mode=mode).fit_predict(  # type: ignore[arg-type]
            *columns(rows), texts={i: t.text for i, t in enumerate(texts)})
        seconds = time.perf_counter() - started
        scores[mode] = statistics.fmean(span_f1(consensus[t], gold[t]) for t in range(n_texts))
        print(f"  {'SpanConsensus(mode=' + repr(mode) + ')':46} {scores[mode]:.4f}   "
              f"({seconds:.2f} s)")
    union = union_f1(rows, texts)
    print(f"  {'every span anyone marked (no majority)':46} {union:.4f}")
    best = print_workers(per_worker(rows, lambda t, a: span_f1(a, gold[t])))
    for mode in ("span", "token"):
        verdict(f"{mode} mode beats the best single worker", scores[mode], best)


# -- Rankings ---------------------------------------------------------------------------------

def precisions(rng: np.random.Generator) -> dict[str, float]:
    """How sharply each worker reads the utilities (0: at random)."""
    return {**{f"w{i:02d}": float(rng.uniform(0.5, 3.0)) for i in range(N_GOOD)}, "bad": 0.0}


def noisy_order(rng: np.random.Generator, utilities: np.ndarray, precision: float) -> list[int]:
    """A Plackett-Luce draw: sort by utility x precision plus Gumbel noise."""
    keys = precision * utilities + rng.gumbel(size=utilities.size)
    order: list[int] = np.argsort(-keys).tolist()
    return order


def rank_rows(rng: np.random.Generator, workers: dict[str, float],
              utilities: Sequence[np.ndarray]) -> list[Row]:
    names = list(workers)
    rows = []
    for task, u in enumerate(utilities):
        for name in rng.choice(names, WORKERS_PER_TASK, replace=False).tolist():
            rows.append((task, name, {"order": noisy_order(rng, u, workers[name])}))
    return rows


def bench_rankings(seed: int, n_tasks: int) -> None:
    rng = np.random.default_rng(seed + 3)
    workers = precisions(rng)
    utilities = [rng.normal(size=int(rng.integers(2, 10))) for _ in range(n_tasks)]
    truth = [np.argsort(-u).tolist() for u in utilities]
    rows = rank_rows(rng, workers, utilities)
    print(f"\nRankings: {n_tasks:,} tasks of 2-9 responses, {WORKERS_PER_TASK} orders per task "
          f"from {len(workers)} workers (one orders at random)")
    print("  score: Kendall's tau against the true order, mean over tasks")
    scores = {}
    for method in ("borda", "plackett_luce"):
        started = time.perf_counter()
        consensus = RankingConsensus(method=method).fit_predict(  # type: ignore[arg-type]
            *columns(rows))
        seconds = time.perf_counter() - started
        scores[method] = statistics.fmean(
            kendall_tau(consensus[t], truth[t]) for t in range(n_tasks))
        print(f"  {'RankingConsensus(method=' + repr(method) + ')':46} {scores[method]:.4f}   "
              f"({seconds:.2f} s)")
    workers_tau = per_worker(rows, lambda t, a: kendall_tau(a, truth[t]))
    print_workers(workers_tau)
    median = statistics.median(v for w, v in workers_tau.items() if w != "bad")
    for method in ("borda", "plackett_luce"):
        verdict(f"{method} beats the median worker", scores[method], median)
    verdict("plackett_luce beats borda", scores["plackett_luce"], scores["borda"])
    bench_response_scores(rng, workers, n_tasks)


def bench_response_scores(rng: np.random.Generator, workers: dict[str, float],
                          n_tasks: int, pool: int = 300) -> None:
    quality = rng.normal(size=pool)
    shown = [rng.choice(pool, int(rng.integers(2, 7)), replace=False) for _ in range(n_tasks)]
    rows = rank_rows(rng, workers, [quality[s] for s in shown])
    responses = {task: [f"response {i}" for i in s.tolist()] for task, s in enumerate(shown)}
    tasks, _, orders = columns(rows)
    started = time.perf_counter()
    scores = response_scores(tasks, responses, orders)
    seconds = time.perf_counter() - started
    share: defaultdict[str, list[float]] = defaultdict(list)
    for task, order in zip(tasks, orders, strict=True):
        m = len(order["order"])
        for position, index in enumerate(order["order"]):
            share[responses[task][index]].append((m - 1 - position) / (m - 1))
    items = sorted(scores)
    true = [quality[int(item.split()[1])] for item in items]
    bt = kendalltau([scores[i] for i in items], true).statistic
    mean_share = kendalltau([statistics.fmean(share[i]) for i in items], true).statistic
    print(f"  across tasks: {len(items)} responses from a shared pool, each in "
          f"{statistics.fmean(len(v) for v in share.values()) / WORKERS_PER_TASK:.1f} tasks "
          f"on average; Kendall's tau of the scores with the true quality:")
    print(f"  {'response_scores (Bradley-Terry)':46} {bt:.4f}   ({seconds:.2f} s)")
    print(f"  {'mean share of responses ranked below it':46} {mean_share:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rankings", type=int, default=2000)
    parser.add_argument("--scale-boxes", type=int, default=100_000,
                        help="boxes in the timing run (0 skips it)")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"Structured consensus on simulated annotators, seed {args.seed}\n")
    bench_boxes(args.seed, args.images)
    if args.scale_boxes:
        bench_box_scale(args.seed, args.scale_boxes)
    bench_spans(args.seed, args.texts)
    bench_rankings(args.seed, args.rankings)
    print(f"\nTotal time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
