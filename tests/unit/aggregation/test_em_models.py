"""Dawid-Skene, one-coin Dawid-Skene and MACE: parameters, smoothing, stopping rule."""

from __future__ import annotations

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
    assert model.confusions_[new, 1, 1] > 0.5  # truth y never seen: the crowd's accuracy
    laplace = DawidSkene(pool_strength=0.0).fit(tasks, workers, labels)
    # Plain Laplace: one answer x on a task that is x with probability p gives
    # P(x | truth x) = (p + 1) / (p + 2) <= 2/3 and P(y | truth y) = 1 / (2 + q) <= 1/2.
    assert 0.5 < laplace.confusions_[new, 0, 0] <= 2 / 3
    assert laplace.confusions_[new, 1, 1] <= 0.5


def test_strong_class_prior_can_outweigh_one_unknown_worker() -> None:
    # Nine tasks are clearly x; t9 has one answer, y, from a worker never seen before.
    # Dawid-Skene weighs that vote by the newcomer's smoothed confusion matrix, and
    # the class prior (9 x for 1 y) outweighs it. The default crowd prior treats
    # the newcomer as an average worker, so y gets more weight than with Laplace.
    rows = "\n".join(f"{w} t{i} x" for i in range(9) for w in "abc")
    tasks, workers, labels = table(rows + "\nsolo t9 y")
    laplace = DawidSkene(pool_strength=0.0).fit_predict_proba(tasks, workers, labels)
    crowd = DawidSkene().fit_predict_proba(tasks, workers, labels)
    assert laplace.to_dict()["t9"] == crowd.to_dict()["t9"] == "x"
    assert crowd.probas[-1, 1] > laplace.probas[-1, 1] > 0.05


@pytest.mark.parametrize(
    "kwargs", [{"max_iter": 0}, {"tol": -1.0}, {"smoothing": 0.0}, {"prior_smoothing": -1}]
)
@pytest.mark.parametrize("model_class", EM_MODELS)
def test_invalid_hyperparameters(model_class: type[ConfusionEM], kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        model_class(**kwargs)  # type: ignore[arg-type]


def test_unfitted_model_has_no_result() -> None:
    with pytest.raises(AttributeError):
        _ = DawidSkene().result_


def test_crowd_prior_helps_when_workers_have_few_answers() -> None:
    # 1,500 tasks x 5 answers from 1,500 workers: 5 answers per worker on average.
    accuracies = np.random.default_rng(0).uniform(0.55, 0.95, 1500)
    crowd = simulate(one_coin(accuracies.tolist(), 2), n_tasks=1500, per_task=5, seed=9)
    majority = accuracy(
        MajorityVote().fit_predict(crowd.tasks, crowd.workers, crowd.labels), crowd.truth
    )
    pooled = accuracy(
        DawidSkene().fit_predict(crowd.tasks, crowd.workers, crowd.labels), crowd.truth
    )
    laplace = accuracy(
        DawidSkene(pool_strength=0.0).fit_predict(crowd.tasks, crowd.workers, crowd.labels),
        crowd.truth,
    )
    assert pooled >= majority - 0.005
    assert pooled > laplace
