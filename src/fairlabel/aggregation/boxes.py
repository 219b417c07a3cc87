"""Bounding-box consensus: match boxes across answers, keep the boxes a majority drew.

An answer is a list of boxes ``{"label", "x", "y", "width", "height"}`` (fractions of the
image's width and height on the platform; any unit works, since IoU does not depend on it).
Boxes are compared by intersection over union (IoU). For each task:

1. **Matching.** The answers are taken in sorted worker order. The boxes of each answer are
   matched one-to-one to the clusters found so far — each cluster represented by the median
   of its members — by an optimal assignment (``scipy.optimize.linear_sum_assignment``):
   cost ``1 − IoU``, a pair forbidden across labels or below ``iou_threshold``; the
   assignment matches as many boxes as it can and, among those matchings, maximises the total
   IoU. A box left unmatched opens a cluster. Then every answer is matched again against the
   updated representatives until no cluster changes (at most ``max_refine`` passes), so the
   result does not hinge on which worker came first. A cluster never holds two boxes of one
   answer.
2. **Majority.** A cluster survives when a strict majority of the task's answers drew a box
   in it (an answer that drew nothing counts in the total).
3. **Coordinates.** The consensus box's left, top, right and bottom edges are the medians of
   its members' edges: robust to one stray box, and always a valid box inside its members'
   hull. Numbers are rounded to 6 decimals, as stored answers are.

Agreement of a task is the mean IoU of the surviving clusters' members with their consensus
box (0 when no box survives although some answers drew boxes, 1 when every answer is empty).
A worker's agreement is the mean, over their answers, of ``matched_iou`` of the answer
against the consensus: matched boxes count their IoU, boxes missed and boxes drawn in excess
count 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import FloatArray
from fairlabel.aggregation.structured import StructuredConsensus, TaskAnswers, TaskFit

BoxAnswer: TypeAlias = list[dict[str, Any]]
"""A canonical box answer: ``[{"label", "x", "y", "width", "height"}, ...]``."""

Cluster: TypeAlias = dict[int, int]
"""The members of a cluster: ``{answer index: box index in that answer}``."""

DECIMALS = 6


@dataclass(frozen=True, eq=False)
class BoxSet:
    """The boxes of one answer: labels and ``(k, 4)`` edges ``(left, top, right, bottom)``."""

    labels: NDArray[np.str_]
    edges: FloatArray

    def __len__(self) -> int:
        return int(self.labels.size)


def parse_boxes(answer: Any) -> BoxSet:
    """Read a canonical box answer.

    Raises:
        TypeError: If the answer is not a list of objects.
        ValueError: If a box lacks a field or has a non-finite coordinate or no area.
    """
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, Sequence):
        raise TypeError("a box answer must be a list of boxes")
    labels, rows = [], []
    for i, box in enumerate(answer):
        if not isinstance(box, Mapping):
            raise TypeError(f"box {i} must be an object with label, x, y, width and height")
        missing = [k for k in ("label", "x", "y", "width", "height") if k not in box]
        if missing:
            raise ValueError(f"box {i} lacks {', '.join(missing)}")
        x, y, w, h = (float(box[k]) for k in ("x", "y", "width", "height"))
        if not all(map(math.isfinite, (x, y, w, h))) or w <= 0 or h <= 0:
            raise ValueError(f"box {i} needs finite numbers, width > 0 and height > 0")
        labels.append(str(box["label"]))
        rows.append((x, y, x + w, y + h))
    return BoxSet(np.array(labels, dtype=np.str_), np.array(rows, dtype=np.float64).reshape(-1, 4))


def to_answer(boxes: BoxSet) -> BoxAnswer:
    """The canonical answer of a box set: rounded to 6 decimals, sorted by label, top, left."""
    answer = []
    for label, (left, top, right, bottom) in zip(boxes.labels.tolist(), boxes.edges.tolist(),
                                                 strict=True):
        x, y = round(left, DECIMALS), round(top, DECIMALS)
        width = max(round(right - x, DECIMALS), 10.0**-DECIMALS)
        height = max(round(bottom - y, DECIMALS), 10.0**-DECIMALS)
        answer.append({"label": label, "x": x, "y": y, "width": width, "height": height})
    answer.sort(key=lambda box: (box["label"], box["y"], box["x"]))
    return answer


def iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of every box of ``a`` ``(n, 4)`` with every box of ``b`` ``(m, 4)`` (edges)."""
    low = np.maximum(a[:, None, :2], b[None, :, :2])
    overlap = np.minimum(a[:, None, 2:], b[None, :, 2:]) - low
    np.clip(overlap, 0.0, None, out=overlap)
    inter = overlap[..., 0] * overlap[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    iou: FloatArray = inter / (area_a[:, None] + area_b[None, :] - inter)
    return iou


def box_iou(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """IoU of two boxes ``{"x", "y", "width", "height"}`` (labels are ignored), in [0, 1]."""
    first, second = parse_boxes([{"label": "", **a}]), parse_boxes([{"label": "", **b}])
    return float(iou_matrix(first.edges, second.edges)[0, 0])


Pairs: TypeAlias = tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]
"""A matching: ``(rows, columns, IoU of each pair)``."""

_NO_PAIRS: Pairs = (np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), np.empty(0))


def match(a: BoxSet, b: BoxSet, min_iou: float) -> Pairs:
    """Optimal one-to-one matching of the boxes of ``a`` and ``b``.

    Only boxes of the same label with IoU ≥ ``min_iou`` (and > 0) may be paired. The matching
    has as many pairs as possible and, among those, the largest total IoU.

    Returns:
        ``(rows into a, columns into b, IoU of each pair)``.
    """
    if not len(a) or not len(b):
        return _NO_PAIRS
    iou = iou_matrix(a.edges, b.edges)
    return match_scored(iou, allowed_pairs(iou, a.labels, b.labels, min_iou))


def allowed_pairs(iou: FloatArray, labels_a: NDArray[np.str_], labels_b: NDArray[np.str_],
                  min_iou: float) -> NDArray[np.bool_]:
    """Which pairs may match: the same label, IoU ≥ ``min_iou`` and > 0."""
    allowed: NDArray[np.bool_] = (
        (iou >= min_iou) & (iou > 0.0) & (labels_a[:, None] == labels_b[None, :]))
    return allowed


def match_scored(iou: FloatArray, allowed: NDArray[np.bool_]) -> Pairs:
    """``match`` on a precomputed IoU matrix and its allowed pairs."""
    if not allowed.any():
        return _NO_PAIRS
    # A forbidden pair costs more than any set of allowed pairs (each costs < 1): the
    # assignment first avoids forbidden pairs, then minimises the total 1 − IoU.
    forbidden = float(min(iou.shape) + 1)
    from scipy.optimize import linear_sum_assignment  # scipy loads for boxes only

    rows, cols = linear_sum_assignment(np.where(allowed, 1.0 - iou, forbidden))
    keep = allowed[rows, cols]
    return rows[keep], cols[keep], iou[rows[keep], cols[keep]]


def set_iou(answer: BoxSet, reference: BoxSet, min_iou: float) -> float:
    """Matched IoU of two box sets (see ``matched_iou``)."""
    if not len(answer) and not len(reference):
        return 1.0
    rows, _, ious = match(answer, reference, min_iou)
    return float(ious.sum()) / (len(answer) + len(reference) - rows.size)


def matched_iou(answer: Any, reference: Any, *, min_iou: float = 0.5) -> float:
    """How well a box answer agrees with a reference answer, in [0, 1].

    Boxes are matched one-to-one (same label, IoU ≥ ``min_iou``, see ``match``); the score is
    the sum of the matched pairs' IoU divided by the number of pairs plus the boxes left
    unmatched on either side — a missed box and a box drawn in excess both count 0. Two empty
    answers agree fully (1).
    """
    return set_iou(parse_boxes(answer), parse_boxes(reference), min_iou)


@dataclass(frozen=True, eq=False)
class TaskBoxes:
    """Every box of one task's answers in one array; clusters index into it.

    Attributes:
        labels: Label of each box, ``(n,)``.
        edges: Edges of each box, ``(n, 4)``.
        answers: The answers, whose boxes are ``labels``/``edges`` in order.
        offsets: Index of each answer's first box (``len(answers) + 1`` entries).
    """

    labels: NDArray[np.str_]
    edges: FloatArray
    answers: tuple[BoxSet, ...]
    offsets: NDArray[np.intp]

    @classmethod
    def of(cls, answers: Sequence[BoxSet]) -> TaskBoxes:
        sizes = [len(boxes) for boxes in answers]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        labels = np.concatenate([boxes.labels for boxes in answers]).astype(np.str_)
        edges = np.concatenate([boxes.edges for boxes in answers]).reshape(-1, 4)
        return cls(labels, edges, tuple(answers), offsets)

    def representatives(self, clusters: Sequence[Cluster]) -> BoxSet:
        """Each cluster's label and the median edges of its members (vectorised)."""
        counts = np.fromiter(map(len, clusters), np.intp, len(clusters))
        members = np.fromiter((i for c in clusters for i in c.values()), np.intp, counts.sum())
        if not counts.size or counts.max() == 1:
            return BoxSet(self.labels[members], self.edges[members])
        starts = np.cumsum(counts) - counts
        stack = np.full((counts.size, int(counts.max()), 4), np.inf)
        column = np.arange(members.size) - np.repeat(starts, counts)
        stack[np.repeat(np.arange(counts.size), counts), column] = self.edges[members]
        stack.sort(axis=1)
        rows = np.arange(counts.size)
        median = (stack[rows, (counts - 1) // 2] + stack[rows, counts // 2]) / 2.0
        return BoxSet(self.labels[members[starts]], median)

    def assign(self, clusters: list[Cluster], answer: int, pairs: Pairs) -> None:
        """Add the boxes of one answer to ``clusters``: those matched by ``pairs`` (rows:
        the answer's boxes, columns: the first clusters), the others as new clusters."""
        offset = int(self.offsets[answer])
        rows, cols, _ = pairs
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            clusters[col][answer] = offset + row
        for row in sorted(set(range(len(self.answers[answer]))) - set(rows.tolist())):
            clusters.append({answer: offset + row})

    def refine(self, clusters: list[Cluster], iou_threshold: float) -> list[Cluster]:
        """Match every answer again against the clusters' current representatives."""
        centres = self.representatives(clusters)
        iou = iou_matrix(self.edges, centres.edges)
        allowed = allowed_pairs(iou, self.labels, centres.labels, iou_threshold)
        refined: list[Cluster] = [{} for _ in clusters]
        for answer, (start, end) in enumerate(pairwise(self.offsets.tolist())):
            self.assign(refined, answer, match_scored(iou[start:end], allowed[start:end]))
        return [cluster for cluster in refined if cluster]


def cluster_boxes(boxes: TaskBoxes, iou_threshold: float, max_refine: int = 10) -> list[Cluster]:
    """Group the boxes of one task's answers into clusters of the same object (step 1 of the
    module's method): one pass in answer order, each answer matched against the medians of
    the clusters so far, then passes against the final medians until no cluster changes.

    Returns:
        The clusters, each ``{answer index: index of its box in boxes.edges}``.
    """
    clusters: list[Cluster] = []
    for answer, own in enumerate(boxes.answers):
        pairs = match(own, boxes.representatives(clusters), iou_threshold)
        boxes.assign(clusters, answer, pairs)
    for _ in range(max_refine):
        refined = boxes.refine(clusters, iou_threshold)
        stable = {frozenset(c.items()) for c in refined} == {frozenset(c.items()) for c in clusters}
        clusters = refined
        if stable:
            break
    return clusters


def paired_iou(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of ``a[i]`` with ``b[i]`` for each row of two ``(n, 4)`` edge arrays."""
    overlap = np.clip(np.minimum(a[:, 2:], b[:, 2:]) - np.maximum(a[:, :2], b[:, :2]), 0.0, None)
    inter = overlap[:, 0] * overlap[:, 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    iou: FloatArray = inter / (area_a + area_b - inter)
    return iou


@dataclass
class BoxConsensus(StructuredConsensus[BoxAnswer, BoxSet]):
    """Majority consensus of bounding boxes with optimal matching and median coordinates.

    Attributes:
        iou_threshold: Least IoU for two boxes (of the same label) to be the same object.
        max_refine: Most refinement passes of the matching per task.
        result_: The ``StructuredResult`` (consensus boxes, agreement per task and worker).
    """

    iou_threshold: float = 0.5
    max_refine: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.iou_threshold <= 1.0 or self.max_refine < 0:
            raise ValueError("need 0 < iou_threshold <= 1 and max_refine >= 0")

    def _parse(self, answer: Any) -> BoxSet:
        return parse_boxes(answer)

    def _fit_tasks(self, groups: list[TaskAnswers[BoxSet]]) -> list[TaskFit[BoxAnswer]]:
        return [self._fit_task(group.answers) for group in groups]

    def _fit_task(self, answers: tuple[BoxSet, ...]) -> TaskFit[BoxAnswer]:
        n = len(answers)
        if not any(len(boxes) for boxes in answers):
            return TaskFit([], 1.0, (1.0,) * n)
        boxes = TaskBoxes.of(answers)
        kept = [c for c in cluster_boxes(boxes, self.iou_threshold, self.max_refine)
                if 2 * len(c) > n]
        centres = boxes.representatives(kept)
        counts = [len(cluster) for cluster in kept]
        members = [i for cluster in kept for i in cluster.values()]
        ious = paired_iou(boxes.edges[members], np.repeat(centres.edges, counts, axis=0))
        agreement = float(ious.mean()) if members else 0.0
        return TaskFit(to_answer(centres), agreement, self._scores(boxes, centres))

    def _scores(self, boxes: TaskBoxes, centres: BoxSet) -> tuple[float, ...]:
        """``matched_iou`` of every answer against the consensus, from one IoU matrix."""
        iou = iou_matrix(boxes.edges, centres.edges)
        allowed = allowed_pairs(iou, boxes.labels, centres.labels, self.iou_threshold)
        scores = []
        for start, end in pairwise(boxes.offsets.tolist()):
            drawn, expected = end - start, len(centres)
            if not drawn or not expected:
                scores.append(1.0 if drawn == expected else 0.0)
                continue
            _, _, ious = match_scored(iou[start:end], allowed[start:end])
            scores.append(float(ious.sum()) / (drawn + expected - ious.size))
        return tuple(scores)
