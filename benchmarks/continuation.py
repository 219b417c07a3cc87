"""Benchmark of the continuation guard: accuracy on the evaluation set, speed at scale.

Run from the repository root::

    .venv/bin/python benchmarks/continuation.py [--stored 100000]

1. Precision, recall and F1 of the index-based check on every pair of
   ``src/fairlabel/continuation/data/evaluation.json``, per variant kind.
2. ``--stored`` past projects (synthetic: random word bags from a 20,000-word vocabulary,
   instructions of ~60 words and 10 task samples of ~15 words; every type of schema) with
   the evaluation projects planted among them. Times (a) the LSH index query and (b) exact
   pairwise comparison against every stored fingerprint, the latter timed on a subsample
   and extrapolated linearly. Reports the speed-up and the recall of the index against
   exact search for the planted near-duplicates.

A benchmark, not a test: it prints figures and PASS/FAIL against the targets (≥ 100× faster
at recall ≥ 0.95) and exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import defaultdict
from importlib import resources
from typing import Any

import numpy as np

from fairlabel.continuation import (
    DEFAULT_THRESHOLD,
    ContinuationIndex,
    Fingerprint,
    ProjectText,
    fingerprint,
    similarity,
)

SEED = 11
SCHEMAS: list[dict[str, Any]] = [
    {"type": "single_choice", "choices": ["a", "b", "c"]},
    {"type": "single_choice", "choices": ["a", "b"]},
    {"type": "multi_choice", "choices": ["a", "b", "c", "d"]},
    {"type": "rating", "min": 1, "max": 5},
    {"type": "free_text", "max_length": 2000},
    {"type": "pairwise"},
]


def text_of(project: dict[str, Any]) -> ProjectText:
    """A stored project record as :class:`ProjectText`."""
    return ProjectText(project["instructions"], project["schema"], project["task_samples"])


def load_pairs() -> list[dict[str, Any]]:
    """The evaluation pairs shipped with the package."""
    data = resources.files("fairlabel.continuation").joinpath("data/evaluation.json")
    pairs: list[dict[str, Any]] = json.loads(data.read_text())["pairs"]
    return pairs


def evaluate(pairs: list[dict[str, Any]]) -> None:
    """Index-based check of every pair; precision/recall/F1 overall and per kind."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp fp fn tn
    for pair in pairs:
        index = ContinuationIndex()
        index.add(0, fingerprint(text_of(pair["old"])))
        flagged = index.best_match(fingerprint(text_of(pair["new"]))) is not None
        slot = (0 if flagged else 2) if pair["continuation"] else (1 if flagged else 3)
        for key in ("ALL", f"{'cont' if pair['continuation'] else 'dist'}/{pair['kind']}"):
            counts[key][slot] += 1
    print(f"Evaluation set: {len(pairs)} pairs, threshold {DEFAULT_THRESHOLD}")
    print(f"  {'kind':26s} {'n':>4s} {'flagged':>8s} {'precision':>10s} {'recall':>7s} "
          f"{'F1':>6s}")
    for key, (tp, fp, fn, tn) in sorted(counts.items()):
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else float("nan")
        print(f"  {key:26s} {tp + fp + fn + tn:4d} {tp + fp:8d} {precision:10.3f} "
              f"{recall:7.3f} {f1:6.3f}")
    print("  (per kind: a continuation kind has no negatives, so its precision is 1 or nan;"
          " for a distinct kind read 'flagged' = false positives)")


def synthetic(rng: np.random.Generator, vocab: list[str]) -> ProjectText:
    """A random word-bag project."""
    words = rng.choice(len(vocab), size=60 + 150)
    instr = ". ".join(" ".join(vocab[w] for w in words[i:i + 10]) for i in range(0, 60, 10))
    samples = [{"text": " ".join(vocab[w] for w in words[60 + i:75 + i])}
               for i in range(0, 150, 15)]
    return ProjectText(instr, SCHEMAS[int(rng.integers(len(SCHEMAS)))], samples)


def scale(pairs: list[dict[str, Any]], stored: int) -> None:
    """Time LSH queries against exact pairwise comparison over ``stored`` projects."""
    rng = np.random.default_rng(SEED)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    vocab = sorted({"".join(rng.choice(letters, size=int(rng.integers(3, 10))))
                    for _ in range(20_000)})
    blobs: list[str] = []
    for pair in pairs:  # past projects of the evaluation set, planted at random keys
        for side in ("old",) if pair["continuation"] else ("old", "new"):
            blob = json.dumps(pair[side], sort_keys=True)
            if blob not in blobs:
                blobs.append(blob)
    slots = rng.choice(stored, size=len(blobs), replace=False)
    planted = {blob: int(k) for blob, k in zip(blobs, slots, strict=True)}
    keys = set(planted.values())
    fps: dict[int, Fingerprint] = {}
    t0 = time.perf_counter()
    index = ContinuationIndex()
    by_blob = {v: k for k, v in planted.items()}
    for key in range(stored):
        text = text_of(json.loads(by_blob[key])) if key in keys else synthetic(rng, vocab)
        fps[key] = fingerprint(text)
        index.add(key, fps[key])
    build = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nScale: {stored} stored projects ({len(keys)} planted), fingerprint + index "
          f"build {build:.1f} s, peak RSS {rss:.0f} MiB")

    queries = [fingerprint(text_of(p["new"])) for p in pairs if p["continuation"]]
    expected = [planted[json.dumps(p["old"], sort_keys=True)] for p in pairs
                if p["continuation"]]
    lsh_times, found, truth_hits, candidates, own = [], 0, 0, [], 0
    planted_keys = sorted(keys)
    for fp, want in zip(queries, expected, strict=True):
        t = time.perf_counter()
        matches = index.query(fp)
        lsh_times.append(time.perf_counter() - t)
        candidates.append(len(index.candidates(fp)))
        exact = {k for k in planted_keys if similarity(fp, fps[k]).combined >= index.threshold}
        truth_hits += len(exact)
        found += len(exact & {m.key for m in matches})
        own += want in {m.key for m in matches}
    sub = rng.choice(stored, size=min(stored, 2_000), replace=False)
    exact_times, false_synthetic = [], 0
    for fp in queries[:10]:
        t = time.perf_counter()
        scores = [similarity(fp, fps[int(k)]).combined for k in sub]
        exact_times.append((time.perf_counter() - t) * stored / len(sub))
        false_synthetic += sum(s >= index.threshold for k, s in zip(sub, scores, strict=True)
                               if int(k) not in keys)
    lsh_ms = statistics.median(lsh_times) * 1000
    exact_ms = statistics.median(exact_times) * 1000
    recall = found / truth_hits if truth_hits else float("nan")
    speedup = exact_ms / lsh_ms
    print(f"  queries: {len(queries)} continuation variants of the planted projects")
    print(f"  (a) LSH index query (candidates + exact confirmation): median {lsh_ms:.2f} ms, "
          f"p95 {np.percentile(lsh_times, 95) * 1000:.2f} ms, "
          f"median candidates {statistics.median(candidates):.0f}")
    print(f"  (b) exact pairwise over all {stored}: median {exact_ms:.0f} ms per query "
          f"(timed on {len(sub)} stored fingerprints x 10 queries, extrapolated linearly)")
    print(f"  speed-up: {speedup:.0f}x")
    print(f"  recall of the index vs exact search (planted near-duplicates, exact ground truth "
          f"over the planted projects; synthetic ones above threshold in the exact subsample: "
          f"{false_synthetic}): {found}/{truth_hits} = {recall:.3f}")
    print(f"  the index returns the project each query continues: {own}/{len(queries)}")
    ok = speedup >= 100 and recall >= 0.95
    print(f"  target >= 100x at recall >= 0.95: {'PASS' if ok else 'FAIL'}")


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    pairs = load_pairs()
    evaluate(pairs)
    scale(pairs, args.stored)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
