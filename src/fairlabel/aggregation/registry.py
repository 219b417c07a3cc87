"""Short method names (as used by the CLI and the platform) and a factory; the structured
consensus class of each structured task type."""

from __future__ import annotations

from typing import Any

from fairlabel.aggregation.base import Aggregator
from fairlabel.aggregation.boxes import BoxConsensus
from fairlabel.aggregation.dawid_skene import DawidSkene
from fairlabel.aggregation.glad import GLAD
from fairlabel.aggregation.mace import MACE
from fairlabel.aggregation.majority_vote import MajorityVote
from fairlabel.aggregation.one_coin_dawid_skene import OneCoinDawidSkene
from fairlabel.aggregation.rankings import RankingConsensus
from fairlabel.aggregation.spans import SpanConsensus
from fairlabel.aggregation.structured import StructuredConsensus
from fairlabel.aggregation.weighted_majority_vote import WeightedMajorityVote

METHODS: dict[str, type[Aggregator]] = {
    "mv": MajorityVote,
    "wmv": WeightedMajorityVote,
    "ds": DawidSkene,
    "ods": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
}
"""Short method names mapped to estimator classes."""

STRUCTURED_METHODS: dict[str, type[StructuredConsensus[Any, Any]]] = {
    "bounding_boxes": BoxConsensus,
    "spans": SpanConsensus,
    "ranking": RankingConsensus,
}
"""Structured task types (the schema's ``type``) mapped to their consensus class."""


def make_aggregator(method: str, seed: int = 0) -> Aggregator:
    """Build the estimator for a short method name with default hyperparameters.

    Raises:
        ValueError: If ``method`` is not a key of ``METHODS``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return METHODS[method](seed=seed)  # type: ignore[call-arg]
