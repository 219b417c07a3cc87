"""Numeric work in a separate process: the large consensus refits of the app server.

A large fit loads scipy (about 40 MiB) and can take seconds. Run in the app server's own
process it would grow the server and hold the interpreter while requests wait; here it runs
in one worker process, started on first use (``spawn``: the child imports only what the fit
needs, never the server's threads) and reused after. Small fits stay in the server.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import overload

from fairlabel.aggregation.scale import SPARSE_FROM_ANSWERS
from fairlabel.domain.quality import GoldScore
from fairlabel.services.ports.quality import (
    ConsensusColumns,
    TaskAnswer,
    TaskConsensus,
    WorkerSkill,
)
from fairlabel.services.ports.work import ProjectFacts
from fairlabel.services.quality import fit_consensus
from fairlabel.services.steps.consensus import CodedAnswers


class ProcessFit:
    """A ``FitConsensus`` that runs large fits in a worker process, small ones here.

    A categorical fit of fewer than ``SPARSE_FROM_ANSWERS`` answers needs numpy alone and
    takes milliseconds: it runs in the calling process. A larger one — which loads scipy and
    can take seconds — goes to the worker process, as does every fit of boxes, spans or
    rankings (matching boxes loads scipy; each task is fitted by Python code of its own).
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @overload
    def __call__(self, facts: ProjectFacts, answers: CodedAnswers, gold: dict[int, GoldScore],
                 seed: int, /) -> tuple[ConsensusColumns, list[WorkerSkill]]: ...

    @overload
    def __call__(self, facts: ProjectFacts, answers: list[TaskAnswer],
                 gold: dict[int, GoldScore],
                 seed: int, /) -> tuple[list[TaskConsensus], list[WorkerSkill]]: ...

    def __call__(self, facts: ProjectFacts, answers: CodedAnswers | list[TaskAnswer],
                 gold: dict[int, GoldScore], seed: int, /,
                 ) -> tuple[ConsensusColumns | list[TaskConsensus], list[WorkerSkill]]:
        """A categorical project's answers travel coded (arrays: a few bytes an answer) and
        its consensus comes back as columns."""
        if len(answers) < SPARSE_FROM_ANSWERS and not facts.schema.structured:
            return fit_consensus(facts, answers, gold, seed)
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            pool = self._pool
        if isinstance(answers, CodedAnswers):  # one call per overload of fit_consensus
            return pool.submit(fit_consensus, facts, answers, gold, seed).result()
        return pool.submit(fit_consensus, facts, answers, gold, seed).result()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
