"""An update of a project's consensus: the tasks that received an answer since the last
watermark, recomputed with the workers' accuracies of the last refit
(``domain/consensus_upkeep.py``); nothing else is read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from fairlabel.domain.quality import answer_key, key_to_answer
from fairlabel.services.ports.quality import StoredConsensus, TaskAnswer, TaskConsensus
from fairlabel.services.ports.work import ProjectFacts
from fairlabel.services.steps.quality import task_consensus


@dataclass(frozen=True, slots=True)
class UpdatedConsensus:
    """What an update writes: the tasks whose consensus or confidence changed, and the tasks
    that reach or fall below the project's confidence target."""

    tasks: int  # tasks recomputed
    changed: list[TaskConsensus]
    settle: list[int]
    unsettle: list[int]


def updated_consensus(facts: ProjectFacts, answers: Sequence[TaskAnswer],
                      stored: dict[int, StoredConsensus]) -> UpdatedConsensus:
    """The consensus of each task of ``answers`` (every answer of each, grouped by task),
    compared with what is ``stored``. Settling follows the refit's rule: a task is
    settled once its confidence reaches the target after at least ``min_answers`` answers and
    before its redundancy is reached; a settled task that no longer reaches it is unsettled."""
    quality = facts.quality
    target = quality.confidence_target
    changed: list[TaskConsensus] = []
    settle: list[int] = []
    unsettle: list[int] = []
    tasks = 0
    for task_id, group in groupby(answers, key=lambda a: a.task_id):
        of_task = list(group)
        tasks += 1
        keys = [answer_key(facts.schema, a.answer) for a in of_task]
        best, confidence = task_consensus(facts, keys, [a.accuracy for a in of_task])
        consensus = key_to_answer(facts.schema, best)
        state = stored.get(task_id)
        if state is None or state.consensus != consensus or state.confidence != confidence:
            changed.append(TaskConsensus(task_id, consensus, confidence))
        if target is None:
            continue
        reached = confidence >= target and len(keys) >= quality.min_answers
        settled = state is not None and state.settled
        if reached and len(keys) < facts.redundancy and not settled:
            settle.append(task_id)
        elif not reached and settled:
            unsettle.append(task_id)
    return UpdatedConsensus(tasks, changed, settle, unsettle)
