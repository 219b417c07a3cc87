"""GLAD (abilities, easiness, gradient) and weighted majority vote (consensus, gold)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import approx_fprime

from fairlabel.aggregation import GLAD, Answers, WeightedMajorityVote
from fairlabel.aggregation.glad import _Objective
from tests.unit.aggregation.crowds import Crowd, one_coin, simulate, table


def test_glad_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    answers = Answers.from_sequences(
        rng.integers(0, 30, 200), rng.integers(0, 8, 200), rng.integers(0, 3, 200)
    )
    objective = _Objective(answers, 1.0, 1.0, 1.0, True)
    theta = rng.normal(size=answers.n_workers + answers.n_tasks + answers.n_classes)
    numeric = approx_fprime(theta, lambda x: objective(x)[0], 1e-6)
    np.testing.assert_allclose(objective(theta)[1], numeric, atol=1e-3)


def test_glad_finds_adversarial_worker_and_hard_tasks() -> None:
    # w3 answers the opposite of the truth 90 % of the time.
    confusions = np.concatenate(
        [one_coin([0.9, 0.85, 0.8], 2), np.array([[[0.1, 0.9], [0.9, 0.1]]])]
    )
    crowd = simulate(confusions, n_tasks=400, per_task=4, seed=2)
    model = GLAD().fit(crowd.tasks, crowd.workers, crowd.labels)
    assert model.skills_[3] < 0 < model.skills_[:3].min()
    predicted = model.result_.to_dict()
    assert np.mean([predicted[t] == crowd.truth[t] for t in crowd.truth]) >= 0.95
    assert model.converged_
    np.testing.assert_allclose(model.priors_, [0.5, 0.5])


def test_glad_easiness_is_lower_for_contested_tasks() -> None:
    rows = "\n".join(f"{w} easy{i} x" for i in range(6) for w in "abcd")
    rows += "\n" + "\n".join(f"{w} easy{i} y" for i in range(6, 12) for w in "abcd")
    rows += "\na hard x\nb hard y\nc hard x\nd hard y"
    tasks, workers, labels = table(rows)
    model = GLAD().fit(tasks, workers, labels)
    easiness = dict(zip(model.result_.tasks.tolist(), model.easiness_.tolist(), strict=True))
    assert easiness["hard"] < min(v for k, v in easiness.items() if k != "hard")


def test_wmv_gives_spammer_zero_weight(mixed_crowd: Crowd) -> None:
    c = mixed_crowd
    model = WeightedMajorityVote().fit(c.tasks, c.workers, c.labels)
    spammer = model.workers_.tolist().index("w5")
    assert model.weights_[spammer] == 0.0
    assert model.weights_.max() > 1.0
    assert 1 <= model.n_iter_ <= model.max_rounds


def test_wmv_uses_gold_to_weigh_workers() -> None:
    # On the shared tasks "liar" and "honest" disagree; gold shows who is right.
    tasks, workers, labels = table(
        """
        honest g1 x
        liar g1 y
        honest g2 y
        liar g2 x
        honest g3 x
        liar g3 y
        honest t1 x
        liar t1 y
        """
    )
    gold = {"g1": "x", "g2": "y", "g3": "x", "unknown-task": "x"}
    model = WeightedMajorityVote(gold=gold).fit(tasks, workers, labels)
    assert model.result_.to_dict()["t1"] == "x"
    honest, liar = (model.workers_.tolist().index(w) for w in ("honest", "liar"))
    assert model.skills_[honest] > 0.7 > 0.3 > model.skills_[liar]
    assert model.weights_[liar] == 0.0
