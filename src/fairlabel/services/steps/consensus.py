"""A consensus refit's work over columns, outside any transaction: a categorical project's
answer columns encoded for its estimator, their fit (``services.steps.fitting.fit_consensus`` gives
them here), the tasks whose stored consensus changed, each task's count of answers, each
worker's agreement. Arrays throughout: a refit of a million tasks holds no object per answer
or per task, and each answer's ids once (as codes)."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.quality import GoldScore, classes, key_to_answer, smoothed_agreement
from fairlabel.services.ports.quality import (
    AnswerColumns,
    ConsensusColumns,
    TaskAnswer,
    TaskConsensus,
    WorkerSkill,
)
from fairlabel.services.ports.work import ProjectFacts

if TYPE_CHECKING:  # numpy loads only when a consensus is computed
    import numpy as np
    from numpy.typing import NDArray

    from fairlabel.aggregation import Answers, Key

CONFIDENCE_STEP = 1e-3
"""A refit rewrites a task only when its consensus changed or its confidence moved this much."""


@dataclass(frozen=True, slots=True, eq=False)
class CodedAnswers:
    """A categorical project's answers as its estimator takes them: the answer columns
    encoded (``encoded``: every answer, repeated pairs too; ``None`` when there is none), and
    each answer's key as read, with which agreement is compared: ``keys[key_codes]``, or,
    when no two keys share a class (always but for odd answers), ``keys[encoded.label_codes]``
    (``key_codes`` is then ``None``: one array fewer)."""

    encoded: Answers | None
    key_codes: NDArray[np.int32] | None
    keys: list[Hashable]

    def __len__(self) -> int:
        return 0 if self.encoded is None else self.encoded.n_answers

    def answer_keys(self) -> tuple[NDArray[np.int32], list[Hashable]]:
        """Each answer's key, as codes into a list of keys."""
        if self.key_codes is not None:
            return self.key_codes, self.keys
        assert self.encoded is not None  # key_codes is kept when there is no answer
        return self.encoded.label_codes, self.keys


def coded_answers(columns: AnswerColumns, schema: LabelSchema) -> CodedAnswers:
    """The columns encoded: task and worker ids become codes into their sorted distinct ids,
    keys codes into the schema's classes (the ids read are not kept)."""
    import numpy as np

    from fairlabel.aggregation import Answers

    if not len(columns):
        return CodedAnswers(None, columns.key_codes, columns.keys)
    encoded = Answers.from_label_codes(
        columns.task_ids, columns.worker_ids, columns.key_codes, cast("list[Key]", columns.keys),
        classes=classes(schema), keep_repeats=True)
    class_of = np.full(len(columns.keys), -1, dtype=np.int64)
    class_of[columns.key_codes] = encoded.label_codes  # every key answered has its class
    if np.unique(class_of).size < class_of.size:  # two keys of one class: keep each key
        return CodedAnswers(encoded, columns.key_codes, columns.keys)
    by_class: list[Hashable] = [None] * encoded.n_classes
    for key, code in zip(columns.keys, class_of.tolist(), strict=True):
        by_class[code] = key
    return CodedAnswers(encoded, None, by_class)


def as_columns(rows: list[TaskConsensus]) -> ConsensusColumns:
    import numpy as np

    return ConsensusColumns(np.array([r.task_id for r in rows], dtype=np.int64),
                            np.arange(len(rows), dtype=np.int32), [r.consensus for r in rows],
                            np.array([r.confidence for r in rows], dtype=np.float64))


def answers_per_task(task_ids: NDArray[np.int64],
                     answers: CodedAnswers | list[TaskAnswer]) -> NDArray[np.int64]:
    """How many answers each task (of ``task_ids``) has among ``answers``."""
    import numpy as np

    if isinstance(answers, CodedAnswers):
        if answers.encoded is None:
            return np.zeros(task_ids.size, dtype=np.int64)
        answered = answers.encoded.tasks
        per_id = np.bincount(answers.encoded.task_codes, minlength=answered.size)
    else:
        answered, per_id = np.unique(np.array([a.task_id for a in answers], dtype=np.int64),
                                     return_counts=True)
    at = np.searchsorted(answered, task_ids).clip(0, max(answered.size - 1, 0))
    known = answered[at] == task_ids if answered.size else np.zeros(task_ids.size, dtype=bool)
    counts: NDArray[np.int64] = np.where(known, per_id[at] if answered.size else 0, 0)
    return counts


def changed_tasks(computed: ConsensusColumns, stored: ConsensusColumns) -> NDArray[np.intp]:
    """Positions of the computed tasks whose consensus differs from the stored one (or none is
    stored), or whose confidence moved by ``CONFIDENCE_STEP`` or more."""
    import numpy as np

    if not len(stored):
        return np.arange(len(computed))
    at = np.searchsorted(stored.task_ids, computed.task_ids).clip(0, len(stored) - 1)
    differ = stored.task_ids[at] != computed.task_ids
    found = np.flatnonzero(~differ)
    there = at[found]
    differ[found] = _pairwise(stored.codes[there], computed.codes[found], stored.values,
                              computed.values, operator.ne) | (
        np.abs(stored.confidences[there] - computed.confidences[found]) >= CONFIDENCE_STEP)
    changed: NDArray[np.intp] = np.flatnonzero(differ)
    return changed


def _pairwise(left: NDArray[np.int32], right: NDArray[np.int32], left_values: list[Any],
              right_values: list[Any], compare: Callable[[Any, Any], Any]) -> NDArray[np.bool_]:
    """``compare(left_values[l], right_values[r])`` for each pair of codes, computed once per
    distinct pair (over the few values of a choice project, as one small table)."""
    import numpy as np

    width = max(len(right_values), 1)
    if len(left_values) * width <= PAIR_TABLE:
        table = np.array([[bool(compare(a, b)) for b in right_values] for a in left_values],
                         dtype=bool).reshape(len(left_values), len(right_values))
        picked: NDArray[np.bool_] = table[left, right]
        return picked
    pairs, inverse = np.unique(left.astype(np.int64) * width + right, return_inverse=True)
    verdicts = np.fromiter((bool(compare(left_values[p // width], right_values[p % width]))
                            for p in pairs.tolist()), dtype=bool, count=pairs.size)
    spread: NDArray[np.bool_] = verdicts[inverse.reshape(-1)]
    return spread


PAIR_TABLE = 1 << 16
"""Up to this many pairs of values, ``_pairwise`` compares every pair in one table."""


def fit_columns(facts: ProjectFacts, answers: CodedAnswers, gold: dict[int, GoldScore],
                seed: int) -> tuple[ConsensusColumns, list[WorkerSkill]]:
    """``fit_consensus`` over coded answers: the estimator fits the arrays as they are, and
    agreement is compared once per distinct (consensus, key) pair."""
    import numpy as np

    from fairlabel.aggregation import make_aggregator

    encoded = answers.encoded
    if encoded is None:
        return (ConsensusColumns(np.empty(0, np.int64), np.empty(0, np.int32), [],
                                 np.empty(0, np.float64)),
                [WorkerSkill(w, s.accuracy, s.correct, s.total) for w, s in gold.items()])
    schema = facts.schema
    model = make_aggregator(facts.quality.consensus_method, seed=seed)
    result = model.fit_answers(encoded.without_repeats()).result_  # tasks: encoded.tasks
    del model
    labels = result.classes.tolist()
    computed = ConsensusColumns(result.tasks.astype(np.int64, copy=False), result.label_codes,
                                [key_to_answer(schema, label) for label in labels],
                                result.confidences)
    del result  # its class probabilities
    key_codes, keys = answers.answer_keys()
    agree = _pairwise(computed.codes[encoded.task_codes], key_codes, labels, keys, operator.eq)
    del key_codes
    ids = encoded.workers.tolist()
    total = np.bincount(encoded.worker_codes, minlength=len(ids)).tolist()
    agreed = np.bincount(encoded.worker_codes[agree], minlength=len(ids)).tolist()
    return computed, categorical_skills(Counter(dict(zip(ids, agreed, strict=True))),
                                        Counter(dict(zip(ids, total, strict=True))), gold)


def categorical_skills(agreed: Counter[int], total: Counter[int],
                       gold: dict[int, GoldScore]) -> list[WorkerSkill]:
    """Each worker's agreement with the consensus plus their gold answers, smoothed."""
    skills = []
    for worker_id in sorted(set(total) | set(gold)):
        score = gold.get(worker_id, GoldScore(0, 0))
        right, n = agreed[worker_id] + score.correct, total[worker_id] + score.total
        skills.append(WorkerSkill(worker_id, smoothed_agreement(right, n), right, n))
    return skills
