"""Bounding-box consensus: IoU, optimal matching, majority, medians, agreement."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.aggregation import BoxConsensus, box_iou, matched_iou
from fairlabel.aggregation.boxes import match, parse_boxes


def box(x: float, y: float, width: float, height: float, label: str = "car") -> dict[str, Any]:
    return {"label": label, "x": x, "y": y, "width": width, "height": height}


def strip(x0: float, x1: float, label: str = "car") -> dict[str, Any]:
    """A full-height box from x0 to x1: its IoU with another strip is a ratio of lengths."""
    return box(x0, 0.0, round(x1 - x0, 6), 1.0, label)


def by_position(answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(answer, key=lambda b: (b["label"], b["x"], b["y"], b["width"], b["height"]))


# -- IoU -------------------------------------------------------------------------------------

def test_iou_by_hand() -> None:
    # Intersection 0.2 x 0.2 = 0.04; union 0.16 + 0.16 - 0.04 = 0.28.
    assert box_iou(box(0, 0, 0.4, 0.4), box(0.2, 0.2, 0.4, 0.4)) == pytest.approx(1 / 7)
    assert box_iou(box(0, 0, 0.4, 0.4), box(0, 0, 0.4, 0.4)) == 1.0
    assert box_iou(box(0, 0, 0.4, 0.4), box(0.4, 0, 0.2, 0.4)) == 0.0  # edges touch
    assert box_iou(box(0, 0, 0.4, 0.4), box(0.1, 0.1, 0.2, 0.2)) == pytest.approx(0.25)


coordinate = st.integers(0, 900_000).map(lambda v: v / 1e6)
share = st.floats(0.01, 1.0)
boxes_strategy = st.builds(
    lambda x, y, w, h: box(x, y, round(max(w * (1 - x), 1e-6), 6),
                           round(max(h * (1 - y), 1e-6), 6)),
    coordinate, coordinate, share, share)


@given(boxes_strategy, boxes_strategy)
def test_iou_is_symmetric_and_in_unit_interval(a: dict[str, Any], b: dict[str, Any]) -> None:
    iou = box_iou(a, b)
    assert 0.0 <= iou <= 1.0
    assert iou == pytest.approx(box_iou(b, a))
    assert box_iou(a, a) == pytest.approx(1.0)


# -- Matching ---------------------------------------------------------------------------------

def test_matching_is_optimal_not_greedy() -> None:
    # The best pair, B1-A1 (IoU .86), would leave B2 with A2 (IoU .33, below the threshold).
    # The optimal matching pairs B1-A2 (.70) and B2-A1 (.60): two boxes matched, not one.
    reference = parse_boxes([strip(0.2, 0.6), strip(0.3, 0.7)])
    answer = parse_boxes([strip(0.23, 0.63), strip(0.1, 0.5)])
    rows, cols, ious = match(answer, reference, 0.5)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert sorted(ious.tolist()) == pytest.approx([0.6, 0.33 / 0.47])
    consensus = BoxConsensus().fit_predict(["t", "t"], ["a", "b"], [
        [strip(0.2, 0.6), strip(0.3, 0.7)], [strip(0.23, 0.63), strip(0.1, 0.5)]])
    assert len(consensus["t"]) == 2  # both objects drawn by both workers


def test_matched_iou_counts_misses_and_extra_boxes_as_zero() -> None:
    reference = [strip(0.0, 0.5)]
    answer = [strip(0.1, 0.5), strip(0.7, 0.9)]  # IoU .8, plus a box drawn in excess
    assert matched_iou(answer, reference) == pytest.approx(0.8 / 2)
    assert matched_iou([], reference) == 0.0
    assert matched_iou([], []) == 1.0
    assert matched_iou([strip(0.0, 0.5, "person")], reference) == 0.0  # labels must agree


# -- Consensus --------------------------------------------------------------------------------

def test_consensus_is_the_median_of_each_edge() -> None:
    answers = [[box(0.10, 0.10, 0.2, 0.2)], [box(0.12, 0.10, 0.2, 0.2)],
               [box(0.14, 0.12, 0.2, 0.2)]]
    model = BoxConsensus().fit(["t"] * 3, ["a", "b", "c"], answers)
    assert model.result_.consensus == {"t": [box(0.12, 0.10, 0.2, 0.2)]}
    expected = [box_iou(a[0], box(0.12, 0.10, 0.2, 0.2)) for a in answers]
    assert model.result_.agreement["t"] == pytest.approx(sum(expected) / 3)
    assert model.result_.worker_agreement == pytest.approx(
        dict(zip("abc", expected, strict=True)))


def test_a_box_needs_a_strict_majority() -> None:
    car, person = box(0.1, 0.1, 0.3, 0.3), box(0.6, 0.6, 0.2, 0.2, "person")
    three = BoxConsensus().fit_predict(["t"] * 3, list("abc"), [[car, person], [car], []])
    assert three == {"t": [car]}  # car: 2 of 3 answers; person: 1 of 3
    four = BoxConsensus().fit_predict(["t"] * 4, list("abcd"), [[car], [car], [], []])
    assert four == {"t": []}  # 2 of 4 is no majority


def test_overlapping_boxes_of_different_labels_stay_apart() -> None:
    car, van = box(0.1, 0.1, 0.3, 0.3), box(0.1, 0.1, 0.3, 0.3, "van")
    both = BoxConsensus().fit_predict(["t"] * 3, list("abc"), [[car, van], [car, van], [van]])
    assert by_position(both["t"]) == [car, van]
    # Two say car, one says van on the same spot: the car stays, the van goes.
    split = BoxConsensus().fit(["t"] * 3, list("abc"), [[car], [car], [van]])
    assert split.result_.consensus == {"t": [car]}
    assert split.result_.agreement["t"] == 1.0  # mean IoU of the car cluster's members
    assert split.result_.worker_agreement == {"a": 1.0, "b": 1.0, "c": 0.0}


def test_empty_answers() -> None:
    nothing = BoxConsensus().fit(["t", "t"], ["a", "b"], [[], []])
    assert nothing.result_.consensus == {"t": []}
    assert nothing.result_.agreement == {"t": 1.0}
    assert nothing.result_.worker_agreement == {"a": 1.0, "b": 1.0}
    # Each drew a box somewhere else: none survives, agreement 0.
    scattered = BoxConsensus().fit(["t"] * 3, list("abc"), [
        [box(0.0, 0.0, 0.1, 0.1)], [box(0.5, 0.5, 0.1, 0.1)], []])
    assert scattered.result_.consensus == {"t": []}
    assert scattered.result_.agreement == {"t": 0.0}
    assert scattered.result_.worker_agreement == {"a": 0.0, "b": 0.0, "c": 1.0}


def test_one_answer_is_the_consensus() -> None:
    answer = [box(0.5, 0.1, 0.2, 0.3, "person"), box(0.1, 0.1, 0.2, 0.2)]
    model = BoxConsensus().fit(["t"], ["a"], [answer])
    assert by_position(model.result_.consensus["t"]) == by_position(answer)
    assert model.result_.agreement == {"t": 1.0}


def test_rows_in_any_order_and_the_last_answer_of_a_pair() -> None:
    rng = random.Random(3)
    rows = []
    for task in range(20):
        truth = [box(round(rng.uniform(0, 0.6), 6), round(rng.uniform(0, 0.6), 6), 0.3, 0.3,
                     rng.choice(["car", "person"])) for _ in range(rng.randint(0, 4))]
        for worker in range(5):
            jitter = [{**b, "x": round(b["x"] + rng.uniform(-0.03, 0.03), 6)} for b in truth
                      if rng.random() > 0.2]
            rows.append((task, worker, jitter))
    tasks, workers, answers = (list(column) for column in zip(*rows, strict=True))
    first = BoxConsensus().fit(tasks, workers, answers).result_
    shuffled = rows[:]
    rng.shuffle(shuffled)
    again = BoxConsensus().fit(*(list(c) for c in zip(*shuffled, strict=True))).result_
    assert again.consensus == first.consensus
    assert again.agreement == pytest.approx(first.agreement)
    # A second answer of worker 0 to task 0 replaces the first, wherever the rows are.
    late = BoxConsensus().fit([*tasks, 0], [*workers, 0], [*answers, [box(0, 0, 1, 1)]])
    assert late.n_repeats_dropped_ == 1
    replaced = [[box(0, 0, 1, 1)] if (t, w) == (0, 0) else a
                for t, w, a in zip(tasks, workers, answers, strict=True)]
    direct = BoxConsensus().fit(tasks, workers, replaced)
    assert direct.n_repeats_dropped_ == 0
    assert late.result_.worker_agreement == direct.result_.worker_agreement
    assert late.result_.worker_agreement[0] < first.worker_agreement[0]


def test_bad_input_names_the_task_and_worker() -> None:
    with pytest.raises(ValueError, match="task 't2', worker 'w9': box 0 needs"):
        BoxConsensus().fit(["t1", "t2"], ["w1", "w9"], [[], [box(0.1, 0.1, 0.0, 0.2)]])
    with pytest.raises(ValueError, match="lacks height"):
        BoxConsensus().fit(["t"], ["w"], [[{"label": "car", "x": 0, "y": 0, "width": 1}]])
    with pytest.raises(ValueError, match="list of boxes"):
        BoxConsensus().fit(["t"], ["w"], [{"boxes": []}])
    with pytest.raises(ValueError, match="iou_threshold"):
        BoxConsensus(iou_threshold=0.0)


# -- Properties -------------------------------------------------------------------------------

labelled = st.tuples(boxes_strategy, st.sampled_from(["car", "person", "sign"])).map(
    lambda pair: {**pair[0], "label": pair[1]})


@settings(max_examples=60, deadline=None)
@given(st.lists(labelled, max_size=6), st.integers(1, 5))
def test_identical_answers_give_that_answer_with_agreement_one(
        answer: list[dict[str, Any]], n: int) -> None:
    model = BoxConsensus().fit(["t"] * n, list(range(n)), [answer] * n)
    assert by_position(model.result_.consensus["t"]) == by_position(answer)
    assert model.result_.agreement["t"] == pytest.approx(1.0)
    assert all(v == pytest.approx(1.0) for v in model.result_.worker_agreement.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(labelled, max_size=5), min_size=1, max_size=6))
def test_consensus_boxes_are_valid_and_agreements_in_unit_interval(
        answers: list[list[dict[str, Any]]]) -> None:
    model = BoxConsensus().fit(["t"] * len(answers), list(range(len(answers))), answers)
    for b in model.result_.consensus["t"]:
        assert b["x"] >= 0 and b["y"] >= 0 and b["width"] > 0 and b["height"] > 0
        assert b["x"] + b["width"] <= 1 + 1e-9 and b["y"] + b["height"] <= 1 + 1e-9
    assert 0.0 <= model.result_.agreement["t"] <= 1.0
    assert all(0.0 <= v <= 1.0 for v in model.result_.worker_agreement.values())
