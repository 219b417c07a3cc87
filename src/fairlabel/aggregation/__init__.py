"""Truth inference: aggregate redundant worker answers into one label per task.

Every estimator takes long-format answers — three parallel sequences of task ids,
worker ids and labels (strings or ints) — and follows the same interface::

    from fairlabel.aggregation import DawidSkene

    model = DawidSkene(seed=0).fit(tasks, workers, labels)
    model.result_.to_dict()        # {task: label}
    model.result_.probas           # (n_tasks, n_classes) class probabilities
    model.confusions_              # (n_workers, n_classes, n_classes)

Only numpy and scipy are used. See docs/aggregation.md for the rules on ties,
repeated answers and convergence.
"""

from fairlabel.aggregation._encoding import Answers, Key
from fairlabel.aggregation.agreement import (
    WorkerAgreement,
    gold_accuracy,
    krippendorff_alpha,
    worker_agreement,
)
from fairlabel.aggregation.base import Aggregator, Result
from fairlabel.aggregation.bradley_terry import BradleyTerry
from fairlabel.aggregation.dawid_skene import DawidSkene
from fairlabel.aggregation.glad import GLAD
from fairlabel.aggregation.mace import MACE
from fairlabel.aggregation.majority_vote import MajorityVote
from fairlabel.aggregation.one_coin_dawid_skene import OneCoinDawidSkene
from fairlabel.aggregation.weighted_majority_vote import WeightedMajorityVote

METHODS: dict[str, type[Aggregator]] = {
    "mv": MajorityVote,
    "wmv": WeightedMajorityVote,
    "ds": DawidSkene,
    "ods": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
}
"""Short method names (as used by the CLI) mapped to estimator classes."""


def make_aggregator(method: str, seed: int = 0) -> Aggregator:
    """Build the estimator for a short method name with default hyperparameters.

    Raises:
        ValueError: If ``method`` is not a key of ``METHODS``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return METHODS[method](seed=seed)  # type: ignore[call-arg]


__all__ = [
    "GLAD",
    "MACE",
    "METHODS",
    "Aggregator",
    "Answers",
    "BradleyTerry",
    "DawidSkene",
    "Key",
    "MajorityVote",
    "OneCoinDawidSkene",
    "Result",
    "WeightedMajorityVote",
    "WorkerAgreement",
    "gold_accuracy",
    "krippendorff_alpha",
    "make_aggregator",
    "worker_agreement",
]
