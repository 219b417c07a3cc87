"""Ranking consensus: Kendall's tau, Borda, Plackett–Luce by MM, ties, Bradley–Terry across
tasks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from fairlabel.aggregation import BradleyTerry, RankingConsensus, kendall_tau, response_scores
from fairlabel.aggregation.rankings import log_posterior, plackett_luce

FIVE = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 0, 1], [0, 1, 2]]


def answers(*orders: list[int]) -> list[dict[str, list[int]]]:
    return [{"order": list(order)} for order in orders]


def test_kendall_tau_by_hand() -> None:
    assert kendall_tau([0, 1, 2], [0, 2, 1]) == pytest.approx(1 / 3)  # 2 of 3 pairs agree
    assert kendall_tau({"order": [2, 0, 1]}, {"order": [0, 1, 2]}) == pytest.approx(-1 / 3)
    assert kendall_tau([1, 0], [0, 1]) == -1.0
    with pytest.raises(ValueError, match="rank 2 and 3"):
        kendall_tau([0, 1], [0, 1, 2])


@given(st.permutations(list(range(9))).flatmap(
    lambda p: st.tuples(st.just(p), st.permutations(p))))
def test_kendall_tau_of_itself_is_one_of_its_reverse_minus_one(
        pair: tuple[list[int], list[int]]) -> None:
    order, other = pair
    assert kendall_tau(order, order) == 1.0
    assert kendall_tau(order, order[::-1]) == -1.0
    assert -1.0 <= kendall_tau(order, other) <= 1.0
    assert kendall_tau(order, other) == pytest.approx(kendall_tau(other, order))


def test_borda_by_hand() -> None:
    # Points (2 for first, 1 for second): response 0: 2+2+1+1+2 = 8, 1: 4, 2: 3.
    model = RankingConsensus().fit(["t"] * 5, list("abcde"), answers(*FIVE))
    assert model.scores_ == {"t": [8.0, 4.0, 3.0]}
    assert model.result_.consensus == {"t": {"order": [0, 1, 2]}}
    # (tau + 1) / 2 of each answer: 1, 2/3, 2/3, 1/3, 1.
    assert model.result_.worker_agreement == pytest.approx(
        {"a": 1.0, "b": 2 / 3, "c": 2 / 3, "d": 1 / 3, "e": 1.0})
    assert model.result_.agreement["t"] == pytest.approx(11 / 15)


def test_plackett_luce_reaches_the_maximum_of_its_posterior() -> None:
    orders = np.array([FIVE])
    fit = plackett_luce(orders, prior=0.5, tol=0.0, max_iter=2000)

    def negative(log_strengths: np.ndarray) -> float:
        return -float(log_posterior(np.exp(log_strengths)[None], orders, 0.5)[0])

    optimum = minimize(negative, np.zeros(3), method="BFGS", options={"gtol": 1e-12}).x
    np.testing.assert_allclose(fit.log_strengths[0], optimum, atol=1e-6)
    default = plackett_luce(orders, prior=0.5)
    assert default.converged and default.n_iter < 1000
    np.testing.assert_allclose(default.log_strengths[0], optimum, atol=1e-4)


def test_plackett_luce_with_two_responses_is_the_win_ratio() -> None:
    # Response 0 first three times, response 1 once: without a prior the strengths are 3:1.
    fit = plackett_luce(np.array([[[0, 1]] * 3 + [[1, 0]]]), prior=1e-9)
    assert np.exp(fit.log_strengths[0, 0] - fit.log_strengths[0, 1]) == pytest.approx(3.0)


def test_plackett_luce_consensus_and_batches() -> None:
    tasks = ["t"] * 5 + ["u"] * 2 + ["v"] * 2
    orders = [*FIVE, [3, 2, 1, 0], [3, 1, 2, 0], [1, 0], [1, 0]]
    model = RankingConsensus(method="plackett_luce").fit(tasks, range(9), answers(*orders))
    consensus = {task: answer["order"] for task, answer in model.result_.consensus.items()}
    assert consensus["t"] == [0, 1, 2] and consensus["v"] == [1, 0]
    assert consensus["u"] in ([3, 2, 1, 0], [3, 1, 2, 0])  # 1 and 2 tie
    assert model.scores_["u"][1] == pytest.approx(model.scores_["u"][2])
    assert model.converged_
    # Fitted together or alone, a task gets the same strengths.
    alone = RankingConsensus(method="plackett_luce").fit(["t"] * 5, range(5), answers(*FIVE))
    np.testing.assert_allclose(alone.scores_["t"], model.scores_["t"])


def test_a_response_everyone_ranks_first_stays_finite() -> None:
    model = RankingConsensus(method="plackett_luce")
    model.fit(["t"] * 3, "abc", answers(*[[2, 0, 1]] * 3))
    assert np.isfinite(model.scores_["t"]).all()
    assert model.result_.consensus == {"t": {"order": [2, 0, 1]}}


@pytest.mark.parametrize("method", ["borda", "plackett_luce"])
def test_ties_are_a_seeded_choice_not_index_or_row_order(method: str) -> None:
    tasks = [f"t{i}" for i in range(12) for _ in range(2)]
    orders = answers(*[[0, 1], [1, 0]] * 12)
    seen = set()
    for seed in range(4):
        model = RankingConsensus(method=method, seed=seed)  # type: ignore[arg-type]
        first = model.fit_predict(tasks, [0, 1] * 12, orders)
        assert model.fit_predict(tasks[::-1], [1, 0] * 12, orders[::-1]) == first
        seen |= {tuple(answer["order"]) for answer in first.values()}
        assert model.result_.agreement == dict.fromkeys(first, 0.5)
    assert seen == {(0, 1), (1, 0)}


@settings(max_examples=60, deadline=None)
@given(st.tuples(st.integers(2, 9).flatmap(lambda m: st.permutations(list(range(m)))),
                 st.integers(1, 5)),
       st.sampled_from(["borda", "plackett_luce"]))
def test_identical_answers_give_that_order_with_agreement_one(
        case: tuple[list[int], int], method: str) -> None:
    order, n = case
    model = RankingConsensus(method=method)  # type: ignore[arg-type]
    model.fit(["t"] * n, list(range(n)), answers(*[order] * n))
    assert model.result_.consensus == {"t": {"order": order}}
    assert model.result_.agreement == {"t": 1.0}


def test_the_rationale_is_ignored_and_bad_orders_are_refused() -> None:
    model = RankingConsensus().fit(["t"], ["a"], [{"order": [1, 0], "rationale": "clearer"}])
    assert model.result_.consensus == {"t": {"order": [1, 0]}}
    with pytest.raises(ValueError, match=r"task 't', worker 'a': .*not a permutation"):
        RankingConsensus().fit(["t"], ["a"], [{"order": [0, 2]}])
    with pytest.raises(ValueError, match="integer indices"):
        RankingConsensus().fit(["t"], ["a"], [{"order": ["0", "1"]}])
    with pytest.raises(ValueError, match="different numbers of responses"):
        RankingConsensus().fit(["t", "t"], ["a", "b"], [[0, 1], [0, 1, 2]])
    with pytest.raises(ValueError, match="unknown method"):
        RankingConsensus(method="kemeny")  # type: ignore[arg-type]


def test_response_scores_join_the_same_text_across_tasks() -> None:
    # "x" beats "y" in t1 and "y" beats "z" in t2: one scale, x > y > z.
    responses = {"t1": ["y", "x"], "t2": ["z", "y"]}
    scores = response_scores(["t1", "t1", "t2"], responses, answers([1, 0], [1, 0], [1, 0]))
    assert list(scores) == ["x", "y", "z"]
    assert scores["x"] > scores["y"] > scores["z"]
    per_answer = response_scores(["t1", "t1", "t2"], [["y", "x"]] * 2 + [["z", "y"]],
                                 [[1, 0], [1, 0], [1, 0]])
    assert per_answer == pytest.approx(scores)


def test_response_scores_are_the_bradley_terry_estimate() -> None:
    # The same model and prior as BradleyTerry, fitted by L-BFGS: MM, run to the end, agrees.
    responses = {"t1": ["a", "b", "c"], "t2": ["c", "d"], "t3": ["d", "a", "b"]}
    tasks = ["t1", "t1", "t2", "t2", "t3", "t3", "t3"]
    orders = [[0, 1, 2], [1, 0, 2], [0, 1], [1, 0], [1, 0, 2], [1, 2, 0], [0, 1, 2]]
    scores = response_scores(tasks, responses, orders, prior=0.5)
    winners, losers = [], []
    for task, order in zip(tasks, orders, strict=True):
        ranked = [responses[task][i] for i in order]
        for position, better in enumerate(ranked):
            winners += [better] * (len(ranked) - position - 1)
            losers += ranked[position + 1:]
    model = BradleyTerry(prior=0.5, tol=0.0, max_iter=20_000).fit(winners, losers, winners)
    assert list(scores) == model.items_.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(list(scores.values()), model.scores_, atol=1e-6)


def test_response_scores_skip_equal_texts_and_check_lengths() -> None:
    # Ranked a, a, b: both a's beat b; a is not compared with itself.
    scores = response_scores(["t"], {"t": ["a", "a", "b"]}, [[0, 1, 2]])
    assert scores["a"] > scores["b"]
    # Ranked a, b, a: a beat b once and lost once.
    even = response_scores(["t"], {"t": ["a", "a", "b"]}, [[0, 2, 1]])
    assert even["a"] == pytest.approx(even["b"])
    with pytest.raises(ValueError, match="ranks 2 responses, the task has 3"):
        response_scores(["t"], {"t": ["a", "b", "c"]}, [[0, 1]])
    with pytest.raises(ValueError, match="no comparisons"):
        response_scores(["t"], {"t": ["a", "a"]}, [[0, 1]])
