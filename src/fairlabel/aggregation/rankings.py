"""Ranking consensus: one order per task from several workers' orders, and a score per response
across tasks.

An answer orders a task's responses, best first: ``{"order": [2, 0, 1], "rationale": ...}`` (a
permutation of ``range(len(responses))``; a bare list of indices is accepted too). Two methods
give a task's consensus order:

- ``method="borda"``: in an order of ``m`` responses the one at position ``p`` (0 = best)
  scores ``m − 1 − p`` points; responses are ordered by their total.
- ``method="plackett_luce"``: the Plackett–Luce model — a worker builds an order by picking
  the best response, then the best of the rest, and so on, choosing each time among the
  responses left with probability proportional to their strengths. The strengths are the
  maximum a posteriori estimate, fitted by Hunter's MM iterations (D. R. Hunter, "MM
  algorithms for generalized Bradley-Terry models", Annals of Statistics 32(1), 2004, §5),
  with the prior of ``BradleyTerry``: every response plays ``prior`` virtual wins and losses
  against a reference of strength 1, which keeps a response ranked first by everyone finite.
  Iterations stop when the relative change of the log-posterior is at most ``tol`` (MM never
  decreases it). Tasks with the same numbers of answers and responses are fitted together.

Ties (equal points, or log-strengths equal to 9 decimals) are broken by a seeded random choice
(``numpy.random.default_rng(seed)``), never by response index or row order. Agreement of a task
is the mean Kendall tau of its answers with the consensus, mapped to [0, 1] by ``(tau + 1) / 2``
(1: everyone gave the consensus order; 0.5: no relation; 0: everyone gave the reverse).

``response_scores`` scores each response *text* across tasks with the Bradley–Terry model of
``BradleyTerry`` (same prior) on the pairs every order implies (the best beats every other, the
second every one after it, and so on), fitted by L-BFGS: a response that appears in several
tasks is one item, so its score gathers all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import Codes, FloatArray, Key
from fairlabel.aggregation.bradley_terry import encode_comparisons
from fairlabel.aggregation.structured import StructuredConsensus, TaskAnswers, TaskFit

RankingAnswer: TypeAlias = dict[str, Any]
"""A canonical ranking answer (the consensus has only ``"order"``)."""

Order: TypeAlias = tuple[int, ...]
IntArray: TypeAlias = NDArray[np.intp]
Method = Literal["borda", "plackett_luce"]
TIE_DECIMALS = 9


def parse_order(answer: Any) -> Order:
    """The order of a ranking answer (``{"order": [...]}`` or a list of indices).

    Raises:
        TypeError: If the order is not a list of integers.
        ValueError: If it is not a permutation of ``range(len(order))``.
    """
    order = answer.get("order") if isinstance(answer, Mapping) else answer
    if isinstance(order, str | bytes) or not isinstance(order, Sequence):
        raise TypeError("a ranking answer must be {'order': [indices, best first]}")
    if not all(isinstance(i, int | np.integer) and not isinstance(i, bool) for i in order):
        raise TypeError("the order must hold integer indices")
    indices = tuple(int(i) for i in order)
    if sorted(indices) != list(range(len(indices))):
        raise ValueError(f"the order {list(indices)} is not a permutation of "
                         f"0..{len(indices) - 1}")
    return indices


def positions(orders: IntArray) -> IntArray:
    """Position of each response in each order: ``orders`` ``(..., m)`` → ``(..., m)``."""
    result: IntArray = np.argsort(orders, axis=-1)
    return result


def taus(orders: IntArray, reference: IntArray) -> FloatArray:
    """Kendall tau of each order of ``orders`` ``(n, m)`` with the order ``reference`` ``(m,)``."""
    m = orders.shape[1]
    if m < 2:
        return np.ones(orders.shape[0])
    mine, theirs = positions(orders), positions(reference)
    same = np.sign(mine[:, :, None] - mine[:, None, :]) * np.sign(theirs[:, None] - theirs[None])
    tau: FloatArray = same.sum(axis=(1, 2)) / (m * (m - 1))
    return tau


def kendall_tau(a: Any, b: Any) -> float:
    """Kendall's tau between two orders of the same responses (answers or index lists), in
    [-1, 1]: 1 for the same order, -1 for the reverse. Fewer than two responses: 1."""
    first, second = parse_order(a), parse_order(b)
    if len(first) != len(second):
        raise ValueError(f"the orders rank {len(first)} and {len(second)} responses")
    return float(taus(np.array([first], dtype=np.intp), np.array(second, dtype=np.intp))[0])


def borda(orders: IntArray) -> FloatArray:
    """Borda points of each response: ``orders`` ``(..., n, m)`` → ``(..., m)``."""
    m = orders.shape[-1]
    points = np.zeros(orders.shape)
    np.put_along_axis(points, orders, np.arange(m - 1, -1, -1, dtype=np.float64), axis=-1)
    total: FloatArray = points.sum(axis=-2)
    return total


@dataclass(frozen=True)
class PlackettLuceFit:
    """Strengths fitted to a batch of tasks: ``log_strengths`` ``(tasks, m)``, iterations run,
    and whether every task reached the tolerance."""

    log_strengths: FloatArray
    n_iter: int
    converged: bool


def _stage_sums(gamma: FloatArray, orders: IntArray) -> FloatArray:
    """Strength of the responses still to place at each stage: ``(T, n, m)``, entry ``j`` is
    the sum over positions ``>= j``."""
    ranked = gamma[np.arange(gamma.shape[0])[:, None, None], orders]
    sums: FloatArray = np.cumsum(ranked[:, :, ::-1], axis=2)[:, :, ::-1]
    return sums


def log_posterior(gamma: FloatArray, orders: IntArray, prior: float) -> FloatArray:
    """Plackett–Luce log-likelihood plus the virtual-game prior, per task."""
    ranked = gamma[np.arange(gamma.shape[0])[:, None, None], orders]
    stages = np.log(ranked[:, :, :-1]) - np.log(_stage_sums(gamma, orders)[:, :, :-1])
    virtual = np.log(gamma) - 2.0 * np.log1p(gamma)
    total: FloatArray = stages.sum(axis=(1, 2)) + prior * virtual.sum(axis=1)
    return total


def plackett_luce(orders: IntArray, *, prior: float = 1.0, tol: float = 1e-12,
                  max_iter: int = 10_000) -> PlackettLuceFit:
    """Fit Plackett–Luce strengths for a batch of tasks by MM iterations.

    Args:
        orders: ``(tasks, answers, m)``: each answer's order, best first.
        prior: Virtual wins and losses of each response against a strength-1 reference.
        tol: Stop when every task's log-posterior changes by at most this relative amount.
        max_iter: Most iterations.
    """
    n_tasks, n_answers, m = orders.shape
    flat = (np.arange(n_tasks)[:, None, None] * m + orders).ravel()
    last = np.bincount(flat.reshape(n_tasks, n_answers, m)[:, :, -1].ravel(),
                       minlength=n_tasks * m).reshape(n_tasks, m)
    wins = n_answers - last + prior
    # Stage j counts for every response placed at position >= j (stages 0 .. m-2).
    stage_of_position = np.minimum(np.arange(m), m - 2)
    gamma = np.ones((n_tasks, m))
    previous = log_posterior(gamma, orders, prior)
    n_iter, converged = 0, False
    while not converged and n_iter < max_iter:
        reach = np.cumsum(1.0 / _stage_sums(gamma, orders)[:, :, :-1], axis=2)
        games = np.bincount(flat, reach[:, :, stage_of_position].ravel(), n_tasks * m)
        gamma = wins / (games.reshape(n_tasks, m) + 2.0 * prior / (gamma + 1.0))
        current = log_posterior(gamma, orders, prior)
        converged = bool(np.all(np.abs(current - previous) <= tol * np.abs(current)))
        previous, n_iter = current, n_iter + 1
    return PlackettLuceFit(np.log(gamma), n_iter, converged)


def order_by(scores: FloatArray, rng: np.random.Generator) -> list[int]:
    """Responses by decreasing score; ties (to 9 decimals) in a seeded random order."""
    keys = np.lexsort((rng.random(scores.size), -np.round(scores, TIE_DECIMALS)))
    order: list[int] = keys.tolist()
    return order


@dataclass
class RankingConsensus(StructuredConsensus[RankingAnswer, Order]):
    """Consensus order per task by Borda count or Plackett–Luce.

    Attributes:
        method: ``"borda"`` or ``"plackett_luce"``.
        prior: Plackett–Luce prior (virtual wins and losses against a strength-1 reference).
        tol: Plackett–Luce relative tolerance on the log-posterior.
        max_iter: Plackett–Luce iteration limit.
        seed: Seed of the random choice among tied responses.
        scores_: ``{task: score of each response}`` (Borda points, or log-strengths).
        converged_: Whether every Plackett–Luce fit reached ``tol`` (always true for Borda).
        result_: The ``StructuredResult`` (``{"order": [...]}``, agreement per task, worker).
    """

    method: Method = "borda"
    prior: float = 1.0
    tol: float = 1e-12
    max_iter: int = 10_000
    seed: int = 0
    scores_: dict[Key, list[float]] = field(init=False, repr=False, compare=False)
    converged_: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.method not in ("borda", "plackett_luce"):
            raise ValueError(f"unknown method {self.method!r}; use 'borda' or 'plackett_luce'")
        if self.prior <= 0 or self.max_iter < 1 or self.tol < 0:
            raise ValueError("need prior > 0, max_iter >= 1 and tol >= 0")

    def _parse(self, answer: Any) -> Order:
        return parse_order(answer)

    def _fit_tasks(self, groups: list[TaskAnswers[Order]]) -> list[TaskFit[RankingAnswer]]:
        arrays = [self._orders(group) for group in groups]
        scores = self._scores(arrays)
        self.scores_ = {g.task: s.tolist() for g, s in zip(groups, scores, strict=True)}
        rng = np.random.default_rng(self.seed)
        fits = []
        for orders, points in zip(arrays, scores, strict=True):
            consensus = order_by(points, rng)
            agreement = (taus(orders, np.array(consensus, dtype=np.intp)) + 1.0) / 2.0
            fits.append(TaskFit({"order": consensus}, float(agreement.mean()),
                                tuple(agreement.tolist())))
        return fits

    def _orders(self, group: TaskAnswers[Order]) -> IntArray:
        sizes = {len(order) for order in group.answers}
        if len(sizes) != 1:
            raise ValueError(f"task {group.task!r}: answers rank different numbers of "
                             f"responses ({sorted(sizes)})")
        return np.array(group.answers, dtype=np.intp)

    def _scores(self, arrays: list[IntArray]) -> list[FloatArray]:
        if self.method == "borda":
            self.converged_ = True
            return [borda(orders) for orders in arrays]
        batches: defaultdict[tuple[int, ...], list[int]] = defaultdict(list)
        for index, orders in enumerate(arrays):
            batches[orders.shape].append(index)
        scores: list[FloatArray] = [np.empty(0)] * len(arrays)
        self.converged_ = True
        for shape, members in batches.items():
            if shape[1] < 2:
                for index in members:
                    scores[index] = np.zeros(shape[1])
                continue
            fit = plackett_luce(np.stack([arrays[i] for i in members]), prior=self.prior,
                                tol=self.tol, max_iter=self.max_iter)
            self.converged_ = self.converged_ and fit.converged
            for row, index in enumerate(members):
                scores[index] = fit.log_strengths[row]
        return scores


def response_scores(tasks: Sequence[Key], responses: Mapping[Any, Sequence[str]]
                    | Sequence[Sequence[str]], orders: Sequence[Any], *,
                    prior: float = 1.0) -> dict[str, float]:
    """Bradley–Terry score of every response text, across tasks.

    Args:
        tasks: Task id of each answer.
        responses: ``{task: response texts}``, or the response texts of each answer's task
            (parallel to ``tasks``).
        orders: Each answer (``{"order": [...]}`` or a list of indices, best first).
        prior: ``BradleyTerry``'s prior (virtual wins and losses against a strength-1
            reference).

    Returns:
        ``{text: log-strength}`` (0 = as strong as the reference); the same text in several
        tasks is one response. Two equal texts within one order are not compared.

    Raises:
        ValueError: On unequal lengths, an order that does not fit its task's responses, or
            no pair of different texts at all.
    """
    if len(tasks) != len(orders) or (not isinstance(responses, Mapping)
                                     and len(responses) != len(tasks)):
        raise ValueError("tasks, orders (and responses given per answer) differ in length")
    winners: list[str] = []
    losers: list[str] = []
    for index, (task, answer) in enumerate(zip(tasks, orders, strict=True)):
        texts = responses[task] if isinstance(responses, Mapping) else responses[index]
        order = parse_order(answer)
        if len(order) != len(texts):
            raise ValueError(f"task {task!r}: the order ranks {len(order)} responses, the task "
                             f"has {len(texts)}")
        ranked = [str(texts[i]) for i in order]
        for position, better in enumerate(ranked):
            worse = [text for text in ranked[position + 1:] if text != better]
            winners.extend([better] * len(worse))
            losers.extend(worse)
    won, lost, items = encode_comparisons(winners, losers, winners)
    scores = bradley_terry_map(won, lost, items.size, prior)
    return dict(zip(items.tolist(), scores.tolist(), strict=True))


def bradley_terry_map(won: Codes, lost: Codes, n_items: int, prior: float) -> FloatArray:
    """Log-strengths maximising ``BradleyTerry``'s penalised log-likelihood, by L-BFGS.

    The same model and prior as ``BradleyTerry`` (its MM iterations reach the same point), but
    over each distinct ``(winner, loser)`` pair once with its count, and with a quasi-Newton
    solver: rankings imply many repeated pairs, and on a shared pool of responses MM needs
    thousands of iterations (3,000 for 70,000 comparisons of 300 responses) where L-BFGS needs
    a few dozen. The objective is strictly convex (the prior), so the optimum is unique.
    """
    from scipy.optimize import minimize  # scipy loads for rankings only
    from scipy.special import expit

    pairs, repeats = np.unique(won.astype(np.int64) * n_items + lost, return_counts=True)
    winner, loser, counts = pairs // n_items, pairs % n_items, repeats.astype(np.float64)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        margin = theta[winner] - theta[loser]
        loss = float(counts @ np.logaddexp(0.0, -margin))
        loss += prior * float((np.logaddexp(0.0, -theta) + np.logaddexp(0.0, theta)).sum())
        push = counts * expit(-margin)
        pulls = np.bincount(loser, push, n_items) - np.bincount(winner, push, n_items)
        gradient: FloatArray = pulls.astype(np.float64) + prior * (expit(theta) - expit(-theta))
        return loss, gradient

    fit = minimize(objective, np.zeros(n_items), jac=True, method="L-BFGS-B",
                   options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-8})
    scores: FloatArray = fit.x
    return scores

