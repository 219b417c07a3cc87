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

Structured answers — bounding boxes, text spans, rankings — have their own consensus
classes with the same ``fit``/``fit_predict`` interface over ``(task, worker, answer)``
columns, each setting ``result_`` to a ``StructuredResult`` (consensus, agreement per task
and per worker)::

    from fairlabel.aggregation import BoxConsensus, RankingConsensus, SpanConsensus

    BoxConsensus(iou_threshold=0.5).fit_predict(tasks, workers, box_answers)

``online`` (``task_posterior``, ``settled``, ``DEFAULT_WORKER_ACCURACY``) is pure
Python. The estimators are imported on first use (PEP 562), so that a process
which only needs the online posterior (an app server handling answers) never
loads numpy and scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fairlabel.aggregation.online import DEFAULT_WORKER_ACCURACY, settled, task_posterior

if TYPE_CHECKING:
    from fairlabel.aggregation._encoding import Answers, Key
    from fairlabel.aggregation.agreement import (
        WorkerAgreement,
        gold_accuracy,
        krippendorff_alpha,
        worker_agreement,
    )
    from fairlabel.aggregation.base import Aggregator, Result
    from fairlabel.aggregation.boxes import BoxConsensus, box_iou, matched_iou
    from fairlabel.aggregation.bradley_terry import BradleyTerry
    from fairlabel.aggregation.dawid_skene import DawidSkene
    from fairlabel.aggregation.glad import GLAD
    from fairlabel.aggregation.mace import MACE
    from fairlabel.aggregation.majority_vote import MajorityVote
    from fairlabel.aggregation.one_coin_dawid_skene import OneCoinDawidSkene
    from fairlabel.aggregation.rankings import RankingConsensus, kendall_tau, response_scores
    from fairlabel.aggregation.registry import METHODS, STRUCTURED_METHODS, make_aggregator
    from fairlabel.aggregation.spans import SpanConsensus, span_f1
    from fairlabel.aggregation.structured import StructuredConsensus, StructuredResult
    from fairlabel.aggregation.weighted_majority_vote import WeightedMajorityVote

_LAZY = {
    "Answers": "_encoding",
    "Key": "_encoding",
    "WorkerAgreement": "agreement",
    "gold_accuracy": "agreement",
    "krippendorff_alpha": "agreement",
    "worker_agreement": "agreement",
    "Aggregator": "base",
    "Result": "base",
    "BoxConsensus": "boxes",
    "box_iou": "boxes",
    "matched_iou": "boxes",
    "BradleyTerry": "bradley_terry",
    "DawidSkene": "dawid_skene",
    "GLAD": "glad",
    "MACE": "mace",
    "MajorityVote": "majority_vote",
    "OneCoinDawidSkene": "one_coin_dawid_skene",
    "RankingConsensus": "rankings",
    "kendall_tau": "rankings",
    "response_scores": "rankings",
    "METHODS": "registry",
    "STRUCTURED_METHODS": "registry",
    "make_aggregator": "registry",
    "SpanConsensus": "spans",
    "span_f1": "spans",
    "StructuredConsensus": "structured",
    "StructuredResult": "structured",
    "WeightedMajorityVote": "weighted_majority_vote",
}


def __getattr__(name: str) -> Any:
    """Import an estimator's module the first time one of its names is used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_WORKER_ACCURACY",
    "GLAD",
    "MACE",
    "METHODS",
    "STRUCTURED_METHODS",
    "Aggregator",
    "Answers",
    "BoxConsensus",
    "BradleyTerry",
    "DawidSkene",
    "Key",
    "MajorityVote",
    "OneCoinDawidSkene",
    "RankingConsensus",
    "Result",
    "SpanConsensus",
    "StructuredConsensus",
    "StructuredResult",
    "WeightedMajorityVote",
    "WorkerAgreement",
    "box_iou",
    "gold_accuracy",
    "kendall_tau",
    "krippendorff_alpha",
    "make_aggregator",
    "matched_iou",
    "response_scores",
    "settled",
    "span_f1",
    "task_posterior",
    "worker_agreement",
]
