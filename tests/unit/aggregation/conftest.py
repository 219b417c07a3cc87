"""Tiny hand-made answer sets for the aggregation tests."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.aggregation.crowds import Crowd, one_coin, simulate, table


@pytest.fixture
def clear_majorities() -> Crowd:
    """Five workers, four tasks, every task has a strict majority."""
    tasks, workers, labels = table(
        """
        a t1 cat
        b t1 cat
        c t1 dog
        a t2 dog
        b t2 dog
        c t2 dog
        d t2 cat
        a t3 bird
        b t3 bird
        d t3 cat
        e t3 bird
        a t4 cat
        c t4 cat
        e t4 dog
        """
    )
    truth = {"t1": "cat", "t2": "dog", "t3": "bird", "t4": "cat"}
    return Crowd(tasks, workers, labels, truth)


@pytest.fixture
def mixed_crowd() -> Crowd:
    """Three-class crowd: good, mediocre, a spammer and a worker biased to class c0."""
    confusions = one_coin([0.9, 0.85, 0.8, 0.7, 0.65, 1 / 3], 3)
    biased = np.array([[0.9, 0.05, 0.05], [0.6, 0.35, 0.05], [0.6, 0.05, 0.35]])
    confusions = np.concatenate([confusions, biased[None]])
    return simulate(confusions, n_tasks=300, per_task=5, seed=7)
