"""The fit of a project's consensus: its method over its answers (categorical as columns or
as objects, structured as objects), per task and per worker."""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple, overload

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.quality import (
    GoldScore,
    answer_key,
    classes,
    key_to_answer,
    smoothed_agreement,
)
from fairlabel.services.ports.quality import (
    ConsensusColumns,
    TaskAnswer,
    TaskConsensus,
    WorkerSkill,
)
from fairlabel.services.ports.work import ProjectFacts
from fairlabel.services.steps.consensus import CodedAnswers, categorical_skills, fit_columns


@overload
def fit_consensus(facts: ProjectFacts, answers: CodedAnswers, gold: dict[int, GoldScore],
                  seed: int = 0, /) -> tuple[ConsensusColumns, list[WorkerSkill]]: ...


@overload
def fit_consensus(facts: ProjectFacts, answers: list[TaskAnswer], gold: dict[int, GoldScore],
                  seed: int = 0, /) -> tuple[list[TaskConsensus], list[WorkerSkill]]: ...


def fit_consensus(facts: ProjectFacts, answers: CodedAnswers | list[TaskAnswer],
                  gold: dict[int, GoldScore], seed: int = 0, /,
                  ) -> tuple[ConsensusColumns | list[TaskConsensus], list[WorkerSkill]]:
    """The project's consensus method over its answers: per task (id, consensus, confidence),
    and per worker their agreement with the consensus plus their gold answers. Answers as
    columns (a categorical project's refit) give the consensus as columns, the same values."""
    if isinstance(answers, CodedAnswers):
        return fit_columns(facts, answers, gold, seed)
    if not answers:
        return [], [WorkerSkill(w, s.accuracy, s.correct, s.total) for w, s in gold.items()]
    if facts.schema.structured:
        return _fit_structured(facts, answers, gold)
    import numpy as np

    from fairlabel.aggregation import make_aggregator

    schema = facts.schema
    keys = [answer_key(schema, a.answer) for a in answers]
    task_ids = [a.task_id for a in answers]
    worker_ids = [a.worker_id for a in answers]
    model = make_aggregator(facts.quality.consensus_method, seed=seed)
    result = model.fit(task_ids, worker_ids, keys, classes=classes(schema)).result_
    labels = result.labels.tolist()
    confidences = result.confidences.tolist()
    tasks = result.tasks.tolist()
    rows = [TaskConsensus(int(t), key_to_answer(schema, label), float(c))
            for t, label, c in zip(tasks, labels, confidences, strict=True)]
    consensus_of = dict(zip(tasks, labels, strict=True))
    agree = np.array([consensus_of[t] == k for t, k in zip(task_ids, keys, strict=True)])
    workers = np.array(worker_ids)
    agreed: Counter[int] = Counter(workers[agree].tolist())
    total: Counter[int] = Counter(worker_ids)
    return rows, categorical_skills(agreed, total, gold)


class Estimator(NamedTuple):
    """A structured consensus method: its module of ``fairlabel.aggregation``, its class
    and arguments (imported on first use, like the categorical ones), and whether its fit
    reads each task's text."""

    module: str
    name: str
    arguments: dict[str, str]
    reads_text: bool = False


STRUCTURED_ESTIMATORS = {
    "iou": Estimator("boxes", "BoxConsensus", {}),
    "span": Estimator("spans", "SpanConsensus", {"mode": "span"}),
    "token": Estimator("spans", "SpanConsensus", {"mode": "token"}, reads_text=True),
    "borda": Estimator("rankings", "RankingConsensus", {"method": "borda"}),
    "pl": Estimator("rankings", "RankingConsensus", {"method": "plackett_luce"}),
}


def _fit_structured(facts: ProjectFacts, answers: list[TaskAnswer],
                    gold: dict[int, GoldScore]) -> tuple[list[TaskConsensus], list[WorkerSkill]]:
    """Boxes, spans and rankings: the consensus answer of the method's estimator, its
    agreement as confidence, and each worker's mean agreement (with their gold answers)
    smoothed like a categorical worker's accuracy."""
    import importlib

    method = STRUCTURED_ESTIMATORS[facts.quality.consensus_method]
    model = getattr(importlib.import_module(f"fairlabel.aggregation.{method.module}"),
                    method.name)(**method.arguments)
    columns = ([a.task_id for a in answers], [a.worker_id for a in answers],
               [a.answer for a in answers])
    if method.reads_text:
        texts = {a.task_id: a.text or "" for a in answers}
        result = model.fit(*columns, texts=texts).result_
    else:
        result = model.fit(*columns).result_
    rows = [TaskConsensus(int(task), _canonical(facts.schema, consensus),
                          float(result.agreement[task]))
            for task, consensus in sorted(result.consensus.items())]
    return rows, _structured_skills(answers, result.worker_agreement, gold)


def _structured_skills(answers: list[TaskAnswer], agreement: dict[Any, float],
                       gold: dict[int, GoldScore]) -> list[WorkerSkill]:
    """Each worker's summed agreement with the consensus (an IoU, F1 or mapped tau per
    answer) plus their right gold answers, over their answers and gold answers."""
    total: Counter[int] = Counter(a.worker_id for a in answers)
    skills = []
    for worker_id in sorted(set(total) | set(gold)):
        score = gold.get(worker_id, GoldScore(0, 0))
        agreed = float(agreement.get(worker_id, 0.0)) * total[worker_id]
        right, n = agreed + score.correct, total[worker_id] + score.total
        skills.append(WorkerSkill(worker_id, smoothed_agreement(right, n), round(right), n))
    return skills


def _canonical(schema: LabelSchema, consensus: Any) -> Any:
    """A consensus in the schema's stored form (coordinates rounded, spans sorted), or as
    the estimator gave it should it not be a valid answer."""
    try:
        return schema.validate_answer(consensus)
    except InvalidInput:
        return consensus
