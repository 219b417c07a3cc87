"""Bradley-Terry scores for pairwise comparisons ("which of these two is better?").

Item ``i`` beats item ``j`` with probability ``p_i / (p_i + p_j)``. Strengths are
fitted with Hunter's MM iterations (D. R. Hunter, "MM algorithms for generalized
Bradley-Terry models", Annals of Statistics 32(1), 2004), vectorised with
``np.bincount``. Every item also plays ``prior`` virtual wins and ``prior`` virtual
losses against a reference item of strength 1: this keeps items that never win (or
never lose) finite and ties disconnected groups of items to a common scale. MM
never decreases the penalised log-likelihood; iterations stop when its relative
change falls below ``tol`` or after ``max_iter`` iterations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import Codes, Column, FloatArray, Key, as_column, encode


def encode_comparisons(
    left: Column, right: Column, winners: Column
) -> tuple[Codes, Codes, NDArray[Any]]:
    """Encode comparisons as ``(winner codes, loser codes, item vocabulary)``.

    Raises:
        ValueError: On unequal lengths, no comparisons, an item compared with itself
            or a winner that is neither of the two items compared.
    """
    if not len(left) == len(right) == len(winners):
        raise ValueError("left, right and winners must have the same length")
    if len(left) == 0:
        raise ValueError("no comparisons given")
    n = len(left)
    columns = [as_column(left, "left"), as_column(right, "right"), as_column(winners, "winners")]
    codes, vocabulary = encode(np.concatenate(columns), "items")
    a, b, won = codes[:n], codes[n : 2 * n], codes[2 * n :]
    if bool((a == b).any()):
        raise ValueError("an item cannot be compared with itself")
    left_won = won == a
    if not bool((left_won | (won == b)).all()):
        raise ValueError("each winner must be one of the two items of its comparison")
    present = np.zeros(vocabulary.size, dtype=bool)
    present[a], present[b] = True, True
    lookup = (np.cumsum(present) - 1).astype(np.int32)
    return lookup[np.where(left_won, a, b)], lookup[np.where(left_won, b, a)], vocabulary[present]


@dataclass
class BradleyTerry:
    """Bradley-Terry model fitted by MM iterations with a virtual-game prior.

    Attributes:
        prior: Virtual wins and losses of every item against a strength-1 reference.
        max_iter: Maximum number of MM iterations.
        tol: Relative tolerance on the change of the penalised log-likelihood.
        items_: Item vocabulary (sorted).
        scores_: Log-strength of each item (0 = as strong as the reference).
        history_: Penalised log-likelihood after each iteration (non-decreasing).
        n_iter_: Number of iterations run.
        converged_: Whether the tolerance was reached before ``max_iter``.
    """

    prior: float = 1.0
    max_iter: int = 10_000
    tol: float = 1e-10
    items_: NDArray[Any] = field(init=False, repr=False, compare=False)
    scores_: FloatArray = field(init=False, repr=False, compare=False)
    history_: tuple[float, ...] = field(init=False, repr=False, compare=False)
    n_iter_: int = field(init=False, repr=False, compare=False)
    converged_: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.prior <= 0 or self.max_iter < 1 or self.tol < 0:
            raise ValueError("need prior > 0, max_iter >= 1 and tol >= 0")

    def fit(self, left: Column, right: Column, winners: Column) -> Self:
        """Fit on comparisons: ``left[i]`` vs ``right[i]``, won by ``winners[i]``."""
        won, lost, self.items_ = encode_comparisons(left, right, winners)
        n_items = self.items_.size
        wins = np.bincount(won, minlength=n_items) + self.prior
        strength = np.ones(n_items)
        history = [self._log_posterior(strength, won, lost)]
        converged = False
        while not converged and len(history) <= self.max_iter:
            inverse_sum = 1.0 / (strength[won] + strength[lost])
            games = np.bincount(won, inverse_sum, n_items) + np.bincount(lost, inverse_sum, n_items)
            strength = wins / (games + 2.0 * self.prior / (strength + 1.0))
            history.append(self._log_posterior(strength, won, lost))
            converged = abs(history[-1] - history[-2]) <= self.tol * abs(history[-1])
        self.scores_ = np.log(strength)
        self.history_, self.n_iter_, self.converged_ = tuple(history), len(history) - 1, converged
        return self

    def _log_posterior(self, strength: FloatArray, won: Codes, lost: Codes) -> float:
        log_s = np.log(strength)
        games = log_s[won] - np.logaddexp(log_s[won], log_s[lost])
        virtual = log_s - 2.0 * np.logaddexp(log_s, 0.0)
        return float(games.sum() + self.prior * virtual.sum())

    def ranking(self) -> list[Key]:
        """Items from strongest to weakest (equal scores keep vocabulary order)."""
        order = np.argsort(-self.scores_, kind="stable")
        ranked: list[Key] = self.items_[order].tolist()
        return ranked

    def fit_predict(self, left: Column, right: Column, winners: Column) -> list[Key]:
        """Fit and return the ranking, strongest first."""
        return self.fit(left, right, winners).ranking()

    def win_probability(self, item: Key, other: Key) -> float:
        """Probability that ``item`` beats ``other`` under the fitted model."""
        index = {key: i for i, key in enumerate(self.items_.tolist())}
        difference = self.scores_[index[item]] - self.scores_[index[other]]
        return float(1.0 / (1.0 + np.exp(-difference)))
