"""Bradley-Terry: ordering recovery, degenerate comparison graphs, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from fairlabel.aggregation import BradleyTerry


def simulated_comparisons(n_items: int, n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    strength = np.linspace(-2.0, 2.0, n_items)
    left, right = rng.integers(0, n_items, n), rng.integers(0, n_items, n)
    keep = left != right
    left, right = left[keep], right[keep]
    p_left = 1.0 / (1.0 + np.exp(strength[right] - strength[left]))
    winners = np.where(rng.random(left.size) < p_left, left, right)
    return left, right, winners, strength


def test_recovers_the_ordering() -> None:
    left, right, winners, strength = simulated_comparisons(15, 3000, seed=4)
    model = BradleyTerry().fit(left, right, winners)
    assert spearmanr(model.scores_, strength).statistic > 0.97
    ranking = model.ranking()
    assert ranking[0] in (14, 13) and ranking[-1] in (0, 1)
    assert model.converged_


def test_log_posterior_never_decreases() -> None:
    left, right, winners, _ = simulated_comparisons(8, 300, seed=1)
    model = BradleyTerry(tol=0.0, max_iter=200).fit(left, right, winners)
    assert np.all(np.diff(model.history_) >= -1e-9)
    assert model.n_iter_ == 200


def test_items_that_never_win_or_never_lose_stay_finite() -> None:
    left = ["a", "a", "b", "c", "d"]
    right = ["b", "c", "c", "d", "e"]
    winners = ["a", "a", "b", "c", "e"]  # a never loses, d never wins
    model = BradleyTerry().fit(left, right, winners)
    assert np.isfinite(model.scores_).all()
    ranking = model.ranking()
    assert ranking[0] == "a"
    assert ranking.index("d") > ranking.index("c")
    p = model.win_probability("a", "b")
    assert 0.5 < p < 1.0
    assert p + model.win_probability("b", "a") == pytest.approx(1.0)


def test_disconnected_groups_share_one_scale() -> None:
    model = BradleyTerry().fit(["a", "c"], ["b", "d"], ["a", "c"])
    scores = dict(zip(model.items_.tolist(), model.scores_.tolist(), strict=True))
    assert scores["a"] == pytest.approx(scores["c"])
    assert scores["b"] == pytest.approx(scores["d"])
    assert model.fit_predict(["a", "c"], ["b", "d"], ["a", "c"]) == ["a", "c", "b", "d"]


@pytest.mark.parametrize(
    ("left", "right", "winners", "message"),
    [
        (["a"], ["a"], ["a"], "itself"),
        (["a"], ["b"], ["c"], "one of the two"),
        (["a", "b"], ["b"], ["a"], "same length"),
        ([], [], [], "no comparisons"),
    ],
)
def test_bad_comparisons(
    left: list[str], right: list[str], winners: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BradleyTerry().fit(left, right, winners)
