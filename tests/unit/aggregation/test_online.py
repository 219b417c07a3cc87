"""The online one-coin posterior of one task and the adaptive-redundancy stopping rule."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.aggregation import (
    DEFAULT_WORKER_ACCURACY,
    OneCoinDawidSkene,
    settled,
    task_posterior,
)
from tests.unit.aggregation.crowds import table


def test_hand_computed_two_classes() -> None:
    # x: .8 * .7 * (1 - .9) = .056; y: (1 - .8) * (1 - .7) * .9 = .054.
    posterior = task_posterior(["x", "x", "y"], [0.8, 0.7, 0.9], ["x", "y"])
    assert posterior == pytest.approx({"x": 0.056 / 0.110, "y": 0.054 / 0.110})


def test_hand_computed_three_classes_spread_errors_evenly() -> None:
    # K = 3: a wrong answer has probability (1 - a) / 2 for each other class.
    # a: .8 * .7 * .05 = .028; b: .1 * .15 * .9 = .0135; c: .1 * .15 * .05 = .00075.
    posterior = task_posterior(["a", "a", "b"], [0.8, 0.7, 0.9], ["a", "b", "c"])
    total = 0.028 + 0.0135 + 0.00075
    assert posterior == pytest.approx(
        {"a": 0.028 / total, "b": 0.0135 / total, "c": 0.00075 / total}
    )
    assert list(posterior) == ["a", "b", "c"]


def test_ties() -> None:
    assert task_posterior(["x", "y"], [0.8, 0.8], ["x", "y"]) == pytest.approx({"x": 0.5, "y": 0.5})
    # Three classes: x and y tie at .8 * .1, z has .1 * .1.
    three = task_posterior(["x", "y"], [0.8, 0.8], ["x", "y", "z"])
    assert three == pytest.approx({"x": 0.08 / 0.17, "y": 0.08 / 0.17, "z": 0.01 / 0.17})


def test_single_answer_gives_its_label_the_worker_accuracy() -> None:
    # Uniform prior: P(y) = a / (a + (K - 1) * (1 - a) / (K - 1)) = a.
    posterior = task_posterior(["y"], [0.6], ["w", "x", "y", "z"])
    assert posterior == pytest.approx({"w": 0.4 / 3, "x": 0.4 / 3, "y": 0.6, "z": 0.4 / 3})
    default = task_posterior(["y"], [DEFAULT_WORKER_ACCURACY], ["x", "y"])
    assert default["y"] == pytest.approx(0.7)


def test_no_answers_gives_the_prior() -> None:
    assert task_posterior([], [], ["x", "y"]) == {"x": 0.5, "y": 0.5}
    assert task_posterior([], [], ["x", "y"], prior={"x": 3, "y": 1}) == pytest.approx(
        {"x": 0.75, "y": 0.25}
    )


def test_unseen_labels_become_extra_classes() -> None:
    # "z" is not declared: K = 3, and z comes after the declared classes.
    posterior = task_posterior(["z"], [0.7], ["x", "y"])
    assert list(posterior) == ["x", "y", "z"]
    assert posterior == pytest.approx({"x": 0.15, "y": 0.15, "z": 0.7})
    # No declared classes at all: the answers are the classes, K >= 2 always.
    alone = task_posterior(["q", "q"], [0.7, 0.7], [])
    assert alone == {"q": 1.0}
    assert task_posterior(["x"], [0.7], ["x"]) == {"x": 1.0}


def test_accuracies_are_clipped() -> None:
    # 1.0 counts as .999 and 0.0 as .001: no answer is ever certain, and a worker
    # who is always wrong among two classes points to the other class.
    assert task_posterior(["x"], [1.0], ["x", "y"]) == pytest.approx({"x": 0.999, "y": 0.001})
    assert task_posterior(["x"], [0.0], ["x", "y"]) == pytest.approx({"x": 0.001, "y": 0.999})
    assert task_posterior(["x"], [7.0], ["x", "y"]) == task_posterior(["x"], [1.0], ["x", "y"])
    # Two "certain" workers who disagree: exactly a tie, not 0/0.
    assert task_posterior(["x", "y"], [1.0, 1.0], ["x", "y"]) == pytest.approx({"x": 0.5, "y": 0.5})


def test_prior_weighs_in_and_missing_classes_are_ruled_out() -> None:
    # x: .75 * .25, y: .25 * .75: a tie.
    posterior = task_posterior(["y"], [0.75], ["x", "y"], prior={"x": 0.75, "y": 0.25})
    assert posterior == pytest.approx({"x": 0.5, "y": 0.5})
    ruled_out = task_posterior(["z"], [0.9], ["x", "y", "z"], prior={"x": 1.0, "y": 1.0})
    assert ruled_out["z"] == 0.0
    assert ruled_out == pytest.approx({"x": 0.5, "y": 0.5, "z": 0.0})


def test_log_space_does_not_underflow() -> None:
    # 2,000 answers x and 1,999 answers y at .9: the pairs cancel, P(x) = .9.
    labels = ["x"] * 2000 + ["y"] * 1999
    posterior = task_posterior(labels, [0.9] * len(labels), ["x", "y"])
    assert posterior == pytest.approx({"x": 0.9, "y": 0.1})


@pytest.mark.parametrize(
    ("labels", "accuracies", "classes", "prior", "message"),
    [
        (["x"], [0.7, 0.8], ["x"], None, "differ in length"),
        (["x"], [float("nan")], ["x", "y"], None, "finite"),
        ([], [], [], None, "no class"),
        (["x"], [0.7], ["x", "y"], {"x": -1.0, "y": 1.0}, "non-negative"),
        (["x"], [0.7], ["x", "y"], {"z": 1.0}, "no weight"),
    ],
)
def test_invalid_input(
    labels: list[str],
    accuracies: list[float],
    classes: list[str],
    prior: dict[str, float] | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        task_posterior(labels, accuracies, classes, prior)


@given(
    st.lists(st.tuples(st.sampled_from("abcd"), st.floats(0.0, 1.0)), min_size=0, max_size=12),
    st.integers(2, 4),
)
def test_matches_the_product_formula(answers: list[tuple[str, float]], n_classes: int) -> None:
    classes = list("abcd"[:n_classes])
    labels = [label for label, _ in answers]
    accuracies = [accuracy for _, accuracy in answers]
    posterior = task_posterior(labels, accuracies, classes)
    every = list(dict.fromkeys([*classes, *labels]))
    k = len(every)
    clipped = [min(max(a, 1e-3), 1 - 1e-3) for a in accuracies]
    weights = {
        c: math.prod(
            a if label == c else (1 - a) / (k - 1) for label, a in zip(labels, clipped, strict=True)
        )
        for c in every
    }
    total = sum(weights.values())
    assert list(posterior) == every
    assert math.fsum(posterior.values()) == pytest.approx(1.0)
    assert posterior == pytest.approx({c: w / total for c, w in weights.items()}, abs=1e-9)


def test_agrees_with_the_one_coin_model_fitted_offline() -> None:
    # With the fitted accuracies and class prior, the online posterior of a task is
    # the E-step of one-coin Dawid-Skene.
    tasks, workers, labels = table(
        """
        a t1 x
        b t1 x
        c t1 y
        a t2 y
        b t2 y
        c t2 y
        a t3 x
        b t3 y
        c t3 x
        a t4 z
        b t4 z
        c t4 x
        """
    )
    model = OneCoinDawidSkene().fit(tasks, workers, labels)
    skill = dict(zip(model.workers_.tolist(), model.skills_.tolist(), strict=True))
    classes = model.result_.classes.tolist()
    prior = dict(zip(classes, model.priors_.tolist(), strict=True))
    for row, task in enumerate(model.result_.tasks.tolist()):
        answers = [(w, lab) for t, w, lab in zip(tasks, workers, labels, strict=True) if t == task]
        online = task_posterior(
            [lab for _, lab in answers], [skill[w] for w, _ in answers], classes, prior
        )
        np.testing.assert_allclose(list(online.values()), model.result_.probas[row], rtol=1e-9)


@pytest.mark.parametrize(
    ("confidence", "answers", "target", "min_answers", "max_answers", "expected"),
    [
        (0.99, 1, 0.9, 2, 5, False),  # confident, but fewer than min_answers
        (0.95, 2, 0.9, 2, 5, True),  # confident with min_answers
        (0.90, 3, 0.9, 2, 5, True),  # the target is reached when equal
        (0.89, 4, 0.9, 2, 5, False),  # not confident, redundancy left
        (0.50, 5, 0.9, 2, 5, True),  # redundancy used up
        (0.50, 6, 0.9, 2, 5, True),
        (1.00, 3, None, 2, 5, False),  # no target: only the redundancy stops
        (0.10, 5, None, 2, 5, True),
        (0.99, 1, 0.9, 1, 5, True),  # min_answers 1
    ],
)
def test_settled(
    confidence: float,
    answers: int,
    target: float | None,
    min_answers: int,
    max_answers: int,
    expected: bool,
) -> None:
    got = settled(
        confidence, answers, target=target, min_answers=min_answers, max_answers=max_answers
    )
    assert got is expected


def test_settled_default_min_answers_is_two() -> None:
    assert not settled(0.99, 1, target=0.9, max_answers=5)
    assert settled(0.99, 2, target=0.9, max_answers=5)


def test_importing_the_online_posterior_loads_neither_numpy_nor_scipy_and_ds_needs_no_scipy(
) -> None:
    code = (
        "import sys\n"
        "from fairlabel.aggregation import task_posterior, settled, DEFAULT_WORKER_ACCURACY\n"
        "from fairlabel.aggregation.online import task_posterior\n"
        "assert 'numpy' not in sys.modules and 'scipy' not in sys.modules, sorted(sys.modules)\n"
        "from fairlabel.aggregation import DawidSkene\n"
        "DawidSkene(seed=0).fit([1, 1, 2], [1, 2, 1], ['a', 'b', 'a'])\n"
        "assert 'numpy' in sys.modules and 'scipy' not in sys.modules\n"
        # The platform builds its estimators by name, through the registry that also names
        # the structured methods (boxes and rankings use scipy): a small categorical fit
        # in the app server still loads none of it (about 28 MiB).
        "from fairlabel.aggregation import make_aggregator\n"
        "for method in ('mv', 'wmv', 'ds', 'ods', 'mace'):\n"
        "    make_aggregator(method).fit([1, 1, 2], [1, 2, 1], ['a', 'b', 'a'])\n"
        "assert 'scipy' not in sys.modules, [m for m in sys.modules if 'scipy' in m][:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_package_attribute_is_an_attribute_error() -> None:
    import fairlabel.aggregation as aggregation

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = aggregation.Nope  # type: ignore[attr-defined]
    assert "DawidSkene" in dir(aggregation)
