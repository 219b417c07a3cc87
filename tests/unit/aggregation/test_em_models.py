"""Dawid-Skene, one-coin Dawid-Skene and MACE: parameters, smoothing, stopping rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fairlabel.aggregation import MACE, DawidSkene, MajorityVote, OneCoinDawidSkene
from fairlabel.aggregation._em import ConfusionEM
from tests.unit.aggregation.crowds import Crowd, accuracy, one_coin, simulate, table

EM_MODELS = [DawidSkene, OneCoinDawidSkene, MACE]


def asymmetric_crowd() -> tuple[Crowd, np.ndarray]:
    """Two classes; workers with asymmetric (class-dependent) errors."""
    confusions = np.array(
        [
            [[0.95, 0.05], [0.40, 0.60]],  # misses many positives
            [[0.70, 0.30], [0.05, 0.95]],  # over-reports positives
            [[0.85, 0.15], [0.15, 0.85]],
            [[0.80, 0.20], [0.25, 0.75]],
            [[0.60, 0.40], [0.40, 0.60]],
        ]
    )
    return simulate(confusions, n_tasks=2000, per_task=5, seed=11), confusions


def test_dawid_skene_recovers_confusion_matrices() -> None:
    crowd, confusions = asymmetric_crowd()
    model = DawidSkene().fit(crowd.tasks, crowd.workers, crowd.labels)
    assert model.workers_.tolist() == ["w0", "w1", "w2", "w3", "w4"]
    np.testing.assert_allclose(model.confusions_, confusions, atol=0.05)
    np.testing.assert_allclose(model.confusions_.sum(axis=2), 1.0)
    majority = MajorityVote().fit_predict(crowd.tasks, crowd.workers, crowd.labels)
    assert accuracy(model.result_.to_dict(), crowd.truth) >= accuracy(majority, crowd.truth)
    assert model.converged_


def test_one_coin_recovers_accuracies() -> None:
    accuracies = [0.95, 0.85, 0.75, 0.65, 0.55]
    crowd = simulate(one_coin(accuracies, 3), n_tasks=1500, per_task=4, seed=5)
    model = OneCoinDawidSkene().fit(crowd.tasks, crowd.workers, crowd.labels)
    np.testing.assert_allclose(model.skills_, accuracies, atol=0.05)


def test_mace_flags_the_spammer() -> None:
    confusions = np.concatenate(
        [one_coin([0.9, 0.85, 0.8, 0.75], 3), np.tile([0.8, 0.1, 0.1], (3, 1))[None]]
    )
    crowd = simulate(confusions, n_tasks=600, per_task=5, seed=3)
    model = MACE().fit(crowd.tasks, crowd.workers, crowd.labels)
    assert model.skills_[4] < 0.15 < 0.6 < model.skills_[:4].min()
    np.testing.assert_allclose(model.spam_distributions_[4], [0.8, 0.1, 0.1], atol=0.1)


@pytest.mark.parametrize("model_class", EM_MODELS)
def test_penalised_log_likelihood_never_decreases(
    model_class: type[ConfusionEM], mixed_crowd: Crowd
) -> None:
    c = mixed_crowd
    model = model_class(tol=0.0, max_iter=60).fit(c.tasks, c.workers, c.labels)
    steps = np.diff(model.history_)
    assert np.all(steps >= -1e-8 * np.abs(model.history_[1:]))
    assert len(model.history_) == model.n_iter_ > 20
    capped = model_class(tol=0.0, max_iter=5).fit(c.tasks, c.workers, c.labels)
    assert capped.n_iter_ == 5
    assert not capped.converged_


@pytest.mark.parametrize("model_class", EM_MODELS)
def test_stops_on_relative_change(model_class: type[ConfusionEM], mixed_crowd: Crowd) -> None:
    c = mixed_crowd
    model = model_class(tol=1e-6).fit(c.tasks, c.workers, c.labels)
    assert model.converged_
    last, before = model.history_[-1], model.history_[-2]
    assert abs(last - before) <= 1e-6 * abs(last)
    earlier = zip(model.history_[:-2], model.history_[1:-1], strict=True)
    assert all(abs(b - a) > 1e-6 * abs(b) for a, b in earlier)


@pytest.mark.parametrize("model_class", EM_MODELS)
def test_default_stop_is_the_converged_estimate(
    model_class: type[ConfusionEM], mixed_crowd: Crowd
) -> None:
    # The estimate is the fixed point, not wherever a few iterations happen to be:
    # with the default tolerance nothing changes any more by iterating on.
    c = mixed_crowd
    default = model_class().fit(c.tasks, c.workers, c.labels)
    limit = model_class(tol=0.0, max_iter=3000).fit(c.tasks, c.workers, c.labels)
    assert default.converged_ and default.n_iter_ < 500
    assert default.result_.to_dict() == limit.result_.to_dict()
    np.testing.assert_allclose(default.result_.probas, limit.result_.probas, atol=1e-3)
    np.testing.assert_allclose(default.confusions_, limit.confusions_, atol=1e-3)


def crowd_centre(accuracy: float, k: int = 2) -> np.ndarray:
    """The prior centre of Dawid-Skene: an average worker, errors spread evenly."""
    return np.asarray(accuracy * np.eye(k) + (1 - accuracy) / (k - 1) * (1 - np.eye(k)))


def test_sparse_workers_stay_soft_and_look_like_the_crowd() -> None:
    tasks, workers, labels = table(
        """
        a t1 x
        b t1 x
        new t1 x
        a t2 y
        b t2 y
        a t3 y
        b t3 x
        """
    )
    model = DawidSkene().fit(tasks, workers, labels)
    new = model.workers_.tolist().index("new")
    # One answer: pulled towards the crowd's accuracy, never a 0/1 matrix.
    assert model.confusions_[new].min() > 0.05 and model.confusions_[new].max() < 0.95
    # Truth y (almost) never seen: the crowd's accuracy against the majority vote,
    # (3 + 2 + 1/2 + 1/2 agreeing of 7 answers, + 1) / (7 + 2) = 7/9.
    assert model.confusions_[new, 1, 1] == pytest.approx(7 / 9, abs=0.01)
    laplace = DawidSkene(pool_strength=0.0, smoothing=1.0).fit(tasks, workers, labels)
    # Plain Laplace: one answer x on a task that is x with probability p gives
    # P(x | truth x) = (p + 1) / (p + 2) <= 2/3 and P(y | truth y) = 1 / (2 + q) <= 1/2.
    assert 0.5 < laplace.confusions_[new, 0, 0] <= 2 / 3
    assert laplace.confusions_[new, 1, 1] <= 0.5


def test_a_newcomer_counts_as_an_average_worker_of_any_number_of_classes() -> None:
    # Four classes, an accurate crowd; "new" answers once, on a task of its own.
    # The prior is centred on the crowd: no uniform pseudo-counts pull the newcomer
    # towards a random worker (with 1 per cell and 4 classes it would have been
    # (4 * 25/26 + 1) / 8 = 0.61 accurate instead of 25/26 = 0.96).
    rows = [f"{w} t{i} {'abcd'[i % 4]}" for i in range(8) for w in "pqr"]
    tasks, workers, labels = table("\n".join(rows) + "\nnew t8 d")
    model = DawidSkene().fit(tasks, workers, labels)
    new = model.workers_.tolist().index("new")
    np.testing.assert_allclose(model.confusions_[new], crowd_centre(25 / 26, 4))
    assert model.result_.to_dict()["t8"] == "d"


def test_strong_class_prior_outweighs_one_unknown_worker_only_in_a_noisy_crowd() -> None:
    # Nine tasks are x; t9 has one answer, y, from a worker never seen before, who
    # counts as an average worker of the crowd. Posterior of y on t9:
    # prior(y) * acc / (prior(y) * acc + prior(x) * (1 - acc)).
    def lone_answer(votes: str) -> tuple[float, float]:
        rows = [f"{w} t{i} {v}" for i in range(9) for w, v in zip("abc", votes, strict=True)]
        tasks, workers, labels = table("\n".join(rows) + "\nsolo t9 y")
        model = DawidSkene().fit(tasks, workers, labels)
        solo = model.workers_.tolist().index("solo")
        accuracy = model.confusions_[solo, 1, 1]
        p_x, p_y = model.priors_
        expected = p_y * accuracy / (p_y * accuracy + p_x * (1 - accuracy))
        assert model.result_.probas[-1, 1] == pytest.approx(expected)
        return accuracy, float(model.result_.probas[-1, 1])

    # Unanimous crowd: accuracy (27 + 1) / (27 + 2); the lone y beats a 10:1 prior.
    accuracy, p_y = lone_answer("xxx")
    assert accuracy == pytest.approx(28 / 29)
    assert p_y > 0.5
    # Every task split 2-1: accuracy (9 * 5/3 + 1) / (27 + 2) = 16/29; the prior wins.
    accuracy, p_y = lone_answer("xxy")
    assert accuracy == pytest.approx(16 / 29)
    assert p_y < 0.5


@pytest.mark.parametrize("model_class", EM_MODELS)
def test_tasks_with_one_answer_do_not_enter_the_fit(model_class: type[ConfusionEM]) -> None:
    # The shared tasks alone, then the same plus an "expert" who answers five tasks
    # nobody else answered, mostly with the class the crowd rarely sees.
    shared = "\n".join(
        f"{w} t{i} {v}"
        for i, votes in enumerate(["xxx", "xxx", "xxy", "xxx", "yyy", "xyx", "xxx", "yyx"])
        for w, v in zip("abc", votes, strict=True)
    )
    lone = "\n".join(f"expert e{i} {v}" for i, v in enumerate("yyyyx"))
    base = model_class().fit(*table(shared))
    model = model_class().fit(*table(shared + "\n" + lone))
    assert model.n_single_answer_tasks_ == 5 and base.n_single_answer_tasks_ == 0
    # The crowd's parameters, the class prior and the iterations are those of the
    # shared tasks alone: the lone answers changed nothing. (The objective differs
    # by a constant: the expert's log prior density, at its centre throughout.)
    crowd = [model.workers_.tolist().index(w) for w in "abc"]
    np.testing.assert_allclose(model.confusions_[crowd], base.confusions_, rtol=1e-9)
    np.testing.assert_allclose(model.priors_, base.priors_, rtol=1e-9)
    assert model.n_iter_ == base.n_iter_
    np.testing.assert_allclose(np.diff(model.history_), np.diff(base.history_), atol=1e-9)
    # Each lone answer is weighed by the expert's prior reliability and wins here.
    labels = model.result_.to_dict()
    assert [labels[f"e{i}"] for i in range(5)] == list("yyyyx")


def test_every_task_with_one_answer_follows_its_answer() -> None:
    tasks, workers, labels = table("a t1 x\nb t2 y\na t3 y\nc t4 x")
    for model_class in EM_MODELS:
        model = model_class().fit(tasks, workers, labels)
        assert model.result_.to_dict() == {"t1": "x", "t2": "y", "t3": "y", "t4": "x"}
        assert model.n_single_answer_tasks_ == 4


@pytest.mark.parametrize(
    "kwargs", [{"max_iter": 0}, {"tol": -1.0}, {"smoothing": -1.0}, {"prior_smoothing": -1}]
)
@pytest.mark.parametrize("model_class", EM_MODELS)
def test_invalid_hyperparameters(model_class: type[ConfusionEM], kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        model_class(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("model_class", [DawidSkene, OneCoinDawidSkene])
def test_worker_prior_must_be_proper(model_class: type[DawidSkene]) -> None:
    with pytest.raises(ValueError, match="both be zero"):
        model_class(pool_strength=0.0, smoothing=0.0)
    with pytest.raises(ValueError, match="non-negative"):
        model_class(pool_strength=-1.0)
    model_class(pool_strength=0.0, smoothing=1.0)
    model_class(pool_strength=4.0, smoothing=0.0)
    with pytest.raises(ValueError, match="positive"):
        MACE(smoothing=0.0)


def test_unfitted_model_has_no_result() -> None:
    with pytest.raises(AttributeError):
        _ = DawidSkene().result_


@pytest.mark.parametrize(("priors", "margin"), [(None, -0.01), ([0.85, 0.15], 0.02)])
def test_crowd_prior_helps_when_workers_have_few_answers(
    priors: list[float] | None, margin: float
) -> None:
    # 1,500 tasks x 5 answers from 1,500 workers: 5 answers per worker on average.
    # Balanced classes: Laplace-only Dawid-Skene falls far below majority vote and the
    # crowd prior brings it back to majority-vote level (0.80, 0.905, 0.90). With a
    # 85/15 class balance the crowd prior beats majority vote (0.86, 0.91, 0.94).
    accuracies = np.random.default_rng(0).uniform(0.55, 0.95, 1500)
    crowd = simulate(
        one_coin(accuracies.tolist(), 2),
        n_tasks=1500,
        per_task=5,
        seed=9,
        priors=None if priors is None else np.array(priors),
    )
    majority = accuracy(
        MajorityVote().fit_predict(crowd.tasks, crowd.workers, crowd.labels), crowd.truth
    )
    pooled = accuracy(
        DawidSkene().fit_predict(crowd.tasks, crowd.workers, crowd.labels), crowd.truth
    )
    laplace = accuracy(
        DawidSkene(pool_strength=0.0, smoothing=1.0).fit_predict(
            crowd.tasks, crowd.workers, crowd.labels
        ),
        crowd.truth,
    )
    assert pooled >= majority + margin
    assert pooled > laplace + 0.05


@pytest.mark.parametrize("model", [DawidSkene, OneCoinDawidSkene, MACE])
def test_the_numpy_and_the_sparse_sums_give_the_same_fit(model: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fairlabel.aggregation import scale

    rng = np.random.default_rng(11)
    n = 3000
    tasks, workers = rng.integers(0, 400, n), rng.integers(0, 40, n)
    labels = rng.integers(0, 3, n)
    small = model(seed=0).fit(tasks, workers, labels)
    monkeypatch.setattr(scale, "SPARSE_FROM_ANSWERS", 1)
    large = model(seed=0).fit(tasks, workers, labels)
    assert np.array_equal(small.result_.label_codes, large.result_.label_codes)
    np.testing.assert_allclose(small.result_.probas, large.result_.probas, atol=1e-9)
