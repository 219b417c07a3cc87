"""Majority vote and the shared tie rule."""

from __future__ import annotations

import numpy as np

from fairlabel.aggregation import MajorityVote
from fairlabel.aggregation.base import decide
from tests.unit.aggregation.crowds import Crowd, table


def test_majority_vote_on_clear_majorities(clear_majorities: Crowd) -> None:
    c = clear_majorities
    result = MajorityVote().fit_predict_proba(c.tasks, c.workers, c.labels)
    assert result.to_dict() == c.truth
    t1 = result.tasks.tolist().index("t1")
    assert result.classes.tolist() == ["bird", "cat", "dog"]
    np.testing.assert_allclose(result.probas[t1], [0.0, 2 / 3, 1 / 3])
    np.testing.assert_allclose(result.confidences[t1], 2 / 3)


def test_tie_goes_to_the_label_given_most_often_overall() -> None:
    # t1 is a 1-1 tie; over the whole set "no" is given 3 times and "yes" twice.
    tasks, workers, labels = table(
        """
        a t1 yes
        b t1 no
        a t2 no
        b t2 no
        c t3 yes
        """
    )
    for seed in range(5):
        predicted = MajorityVote(seed=seed).fit_predict(tasks, workers, labels)
        assert predicted["t1"] == "no"


def test_full_tie_is_a_seeded_choice_not_row_order() -> None:
    # Ten tasks each tied 1-1 between two labels given equally often overall.
    rows = [(f"t{i}", w, lab) for i in range(10) for w, lab in (("a", "x"), ("b", "y"))]
    tasks, workers, labels = (list(col) for col in zip(*rows, strict=True))
    first = MajorityVote(seed=3).fit_predict(tasks, workers, labels)
    reversed_rows = MajorityVote(seed=3).fit_predict(tasks[::-1], workers[::-1], labels[::-1])
    assert first == reversed_rows
    assert set(first.values()) == {"x", "y"}  # not always the first label seen
    others = [MajorityVote(seed=s).fit_predict(tasks, workers, labels) for s in range(1, 6)]
    assert any(other != first for other in others)


def test_task_with_one_answer_is_certain() -> None:
    result = MajorityVote().fit_predict_proba(["t1", "t2", "t2"], ["a", "a", "b"], [1, 2, 2])
    assert result.to_dict() == {"t1": 1, "t2": 2}
    assert result.confidences.tolist() == [1.0, 1.0]


def test_priors_are_answer_shares(clear_majorities: Crowd) -> None:
    c = clear_majorities
    model = MajorityVote().fit(c.tasks, c.workers, c.labels)
    np.testing.assert_allclose(model.priors_, [3 / 14, 6 / 14, 5 / 14])


def test_decide_prefers_larger_prior_then_random() -> None:
    scores = np.array([[1.0, 1.0, 0.0], [0.5, 0.5, 0.5], [0.2, 0.7, 0.1]])
    codes = decide(scores, np.array([0.2, 0.5, 0.3]), np.random.default_rng(0))
    assert codes.tolist() == [1, 1, 1]
    equal_priors = np.full(3, 1 / 3)
    draws = {
        tuple(decide(scores[:2], equal_priors, np.random.default_rng(s)).tolist())
        for s in range(20)
    }
    assert len(draws) > 1
    assert all(draw[0] in (0, 1) for draw in draws)
