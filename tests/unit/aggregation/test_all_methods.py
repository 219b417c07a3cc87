"""Behaviour every aggregation method shares: edge cases, invariances, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from fairlabel.aggregation import METHODS, make_aggregator
from tests.unit.aggregation.crowds import ALL_METHODS, Crowd, accuracy, table

METHOD_NAMES = list(ALL_METHODS)


def test_registry_lists_every_method() -> None:
    assert set(METHODS) == set(ALL_METHODS)
    with pytest.raises(ValueError, match="unknown method"):
        make_aggregator("bogus")


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_recovers_clear_majorities(method: str, clear_majorities: Crowd) -> None:
    c = clear_majorities
    result = make_aggregator(method).fit_predict_proba(c.tasks, c.workers, c.labels)
    assert result.to_dict() == c.truth
    np.testing.assert_allclose(result.probas.sum(axis=1), 1.0)
    assert np.all(result.probas >= 0)


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_worker_and_task_with_one_answer(method: str) -> None:
    # Worker "solo" answers once, on t9, which nobody else answered; classes balanced.
    votes = ["xxy", "yyx"] * 4
    rows = "\n".join(
        f"{w} t{i} {lab}" for i in range(8) for w, lab in zip("abc", votes[i], strict=True)
    )
    tasks, workers, labels = table(rows + "\nsolo t9 y")
    model = make_aggregator(method).fit(tasks, workers, labels)
    result = model.result_
    assert np.isfinite(result.probas).all()
    assert result.to_dict()["t9"] == "y"
    skills = getattr(model, "skills_", None)
    if skills is not None:
        assert np.isfinite(skills).all()
    confusions = getattr(model, "confusions_", None)
    if confusions is not None:
        solo = model.workers_.tolist().index("solo")
        assert confusions[solo].min() > 0.0 and confusions[solo].max() < 1.0


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_declared_label_never_seen_gets_a_column_but_never_wins(
    method: str, clear_majorities: Crowd
) -> None:
    c = clear_majorities
    classes = ["bird", "cat", "dog", "fish"]
    result = make_aggregator(method).fit_predict_proba(
        c.tasks, c.workers, c.labels, classes=classes
    )
    assert result.classes.tolist() == classes
    assert result.probas.shape == (4, 4)
    np.testing.assert_allclose(result.probas.sum(axis=1), 1.0)
    assert "fish" not in set(result.labels.tolist())


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_repeated_pair_counts_the_last_answer(method: str) -> None:
    # b first says "x" then corrects to "y": with the correction, y wins 2-1.
    tasks, workers, labels = table(
        """
        a t1 x
        b t1 x
        c t1 y
        b t1 y
        a t2 x
        b t2 x
        c t2 x
        a t3 y
        b t3 y
        c t3 y
        """
    )
    model = make_aggregator(method).fit(tasks, workers, labels)
    assert model.n_repeats_dropped_ == 1
    assert model.result_.to_dict()["t1"] == "y"


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_row_order_and_id_type_do_not_matter(method: str, mixed_crowd: Crowd) -> None:
    c = mixed_crowd
    base = make_aggregator(method, seed=1).fit_predict_proba(c.tasks, c.workers, c.labels)
    s = c.shuffled(seed=2)
    shuffled = make_aggregator(method, seed=1).fit_predict_proba(s.tasks, s.workers, s.labels)
    assert shuffled.to_dict() == base.to_dict()
    np.testing.assert_allclose(shuffled.probas, base.probas, atol=1e-6)
    as_ints = make_aggregator(method, seed=1).fit_predict(
        [int(t[1:]) for t in c.tasks], [int(w[1:]) for w in c.workers], c.labels
    )
    assert {f"t{t}": label for t, label in as_ints.items()} == base.to_dict()


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_single_class(method: str) -> None:
    predicted = make_aggregator(method).fit_predict(["t1", "t1", "t2"], ["a", "b", "a"], [5, 5, 5])
    assert predicted == {"t1": 5, "t2": 5}


@pytest.mark.parametrize("method", ["ds", "ods", "glad", "mace", "wmv"])
def test_models_of_worker_quality_beat_majority_vote(method: str, mixed_crowd: Crowd) -> None:
    c = mixed_crowd
    majority = accuracy(make_aggregator("mv").fit_predict(c.tasks, c.workers, c.labels), c.truth)
    ours = accuracy(make_aggregator(method).fit_predict(c.tasks, c.workers, c.labels), c.truth)
    assert majority >= 0.8
    assert ours >= 0.9
    assert ours >= majority + 0.04


@pytest.mark.parametrize("method", ["ds", "ods", "glad", "mace", "wmv"])
def test_spammer_gets_the_lowest_skill(method: str, mixed_crowd: Crowd) -> None:
    c = mixed_crowd
    model = make_aggregator(method).fit(c.tasks, c.workers, c.labels)
    skills = dict(zip(model.workers_.tolist(), model.skills_.tolist(), strict=True))  # type: ignore[attr-defined]
    assert min(skills, key=skills.__getitem__) == "w5"
    assert max(skills, key=skills.__getitem__) in {"w0", "w1"}
