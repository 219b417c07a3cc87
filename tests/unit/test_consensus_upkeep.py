"""The rules that choose between refitting a project's consensus whole and updating the tasks
that changed (``domain/consensus_upkeep.py``), and the update's computation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain.consensus_upkeep import (
    UPDATE_LAG,
    Covered,
    Marks,
    Upkeep,
    UpkeepPolicy,
    plan,
    watermark,
)
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.quality import QualityTerms
from fairlabel.services.ports.quality import StoredConsensus, TaskAnswer, TaskConsensus
from fairlabel.services.ports.work import ProjectFacts
from fairlabel.services.steps.consensus_update import updated_consensus

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
POLICY = UpkeepPolicy(update_from=100, refit_growth=0.1)


def marks(total: int, *, after_covered: int = 0, after_cutoff: int = 0,
          latest: datetime = T0) -> Marks:
    return Marks(total, latest, after_cutoff, after_covered)


def test_a_project_is_updated_only_after_a_refit_it_has_not_outgrown() -> None:
    fitted = Covered(T0, 1000, 1000)
    assert plan(fitted, marks(1050, after_covered=50), structured=False,
                policy=POLICY) is Upkeep.UPDATE
    # 10 % more answers than at the refit: refit whole.
    assert plan(fitted, marks(1100, after_covered=100), structured=False,
                policy=POLICY) is Upkeep.REFIT
    # The growth counts from the last refit, not from the last update.
    updated = Covered(T0, 1090, 1000)
    assert plan(updated, marks(1100, after_covered=10), structured=False,
                policy=POLICY) is Upkeep.REFIT


@pytest.mark.parametrize("covered, total, structured", [
    (Covered(None, None, None), 1000, False),  # never refit
    (Covered(T0, 1000, None), 1010, False),  # covered before the refit count was kept
    (Covered(T0, 1000, 1000), 1010, True),  # boxes, spans, rankings
    (Covered(T0, 50, 50), 60, False),  # too small to bother
])
def test_what_is_always_refit(covered: Covered, total: int, structured: bool) -> None:
    assert plan(covered, marks(total, after_covered=total - (covered.answers or 0)),
                structured=structured, policy=POLICY) is Upkeep.REFIT


def test_an_answer_stamped_before_the_watermark_but_not_counted_forces_a_refit() -> None:
    covered = Covered(T0, 1000, 1000)
    # 1,020 answers, 19 after the watermark: one at or before it was not counted.
    late = marks(1020, after_covered=19)
    assert late.late(covered) == 1
    assert plan(covered, late, structured=False, policy=POLICY) is Upkeep.REFIT
    assert marks(1020, after_covered=20).late(covered) == 0


def test_the_watermark_trails_the_newest_answer_by_the_lag_on_projects_that_may_update() -> None:
    cutoff = T0 - UPDATE_LAG
    # The newest answer is within the lag: the watermark is the cutoff, and the answers
    # after it are not counted as covered (the next update reads them again).
    recent = marks(1000, after_cutoff=40, latest=T0 - timedelta(seconds=5))
    assert watermark(recent, cutoff, structured=False, policy=POLICY) == (cutoff, 960)
    # Quiet for longer than the lag: everything is covered.
    quiet = marks(1000, latest=T0 - timedelta(minutes=5))
    assert watermark(quiet, cutoff, structured=False, policy=POLICY) == (quiet.latest, 1000)
    # A small or structured project is refit whole next time anyway: no lag.
    assert watermark(marks(50, after_cutoff=5), cutoff, structured=False,
                     policy=POLICY) == (T0, 50)
    assert watermark(recent, cutoff, structured=True,
                     policy=POLICY) == (recent.latest, 1000)


def test_a_policy_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        UpkeepPolicy(update_from=0)
    with pytest.raises(ValueError):
        UpkeepPolicy(refit_growth=0)


def facts(method: str, *, target: float | None = None, redundancy: int = 5) -> ProjectFacts:
    return ProjectFacts(
        schema=parse_schema({"type": "single_choice", "choices": ["a", "b", "c"]}),
        currency="USD", redundancy=redundancy, lease_seconds=600,
        quality=QualityTerms(consensus_method=method, confidence_target=target,
                             min_answers=2))


def test_an_update_writes_the_tasks_that_changed_and_settles_by_the_refits_rule() -> None:
    answers = [TaskAnswer(1, 10, "a", 0.9), TaskAnswer(1, 11, "a", 0.9),
               TaskAnswer(2, 10, "b", 0.9), TaskAnswer(2, 11, "c", 0.6),
               TaskAnswer(3, 12, "a")]
    states = {1: StoredConsensus(None, None, False), 2: StoredConsensus("b", None, True)}
    update = updated_consensus(facts("ds", target=0.95), answers, states)
    assert update.tasks == 3
    by_task = {row.task_id: row for row in update.changed}
    assert set(by_task) == {1, 2, 3}
    assert by_task[1].consensus == "a" and by_task[1].confidence > 0.99
    assert by_task[2].consensus == "b" and by_task[2].confidence < 0.95
    assert update.settle == [1]  # reached the target with 2 answers, below redundancy 5
    assert update.unsettle == [2]  # settled before, no longer reaches it
    # Task 3 has one answer: below min_answers, never settled.
    same = {t: StoredConsensus(r.consensus, r.confidence, t == 1) for t, r in by_task.items()}
    again = updated_consensus(facts("ds", target=0.95), answers, same)
    assert again.changed == again.settle == again.unsettle == []


def test_a_majority_vote_update_is_the_vote_share() -> None:
    answers = [TaskAnswer(7, 1, "c"), TaskAnswer(7, 2, "c"), TaskAnswer(7, 3, "a")]
    update = updated_consensus(facts("mv"), answers, {})
    assert update.changed == [TaskConsensus(7, "c", pytest.approx(2 / 3))]
    assert update.settle == update.unsettle == []
