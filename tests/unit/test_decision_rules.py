"""Rules of charter 6, 8 and 9 as plain functions: withholding, proposals, appeals,
publication thresholds and the registry. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain.algorithms import registry
from fairlabel.domain.charter import CharterPolicy, FloorTable
from fairlabel.domain.decisions import (
    AlreadyAppealed,
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
    NotAppealable,
    appeal_deadline,
    check_appealable,
    check_restricting,
    check_text,
    is_appealable,
    parse_appeal_outcome,
)
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.review import (
    FAST_MIN_ANSWERS,
    WITHHOLD_RULE,
    AnswerCheck,
    GoldRecord,
    TimeRecord,
    WithholdNotEvidenced,
    check_answer,
    propose_for_fast_answers,
    propose_for_gold,
    withhold_evidence,
)
from fairlabel.domain.voice import (
    MIN_RATERS_SHOWN,
    NotEnoughWork,
    Scores,
    check_can_rate,
    check_testimony,
    publishable,
    summarize,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def time(worked_ms: int, median_ms: int | None = 30_000, measured: int = 20) -> TimeRecord:
    return TimeRecord(worked_ms=worked_ms, median_ms=median_ms, answers_measured=measured,
                      min_answers=20)


CHOICE = parse_schema({"type": "single_choice", "choices": ["a", "b"]})
NOTHING = check_answer(CHOICE, "a")  # an ordinary task without a consensus yet
WRONG_ON_GOLD = check_answer(CHOICE, "a", gold_answer="b")
BELOW = GoldRecord(correct=7, total=10, min_accuracy=0.8, min_items=10)


def test_rule_6_is_at_version_2() -> None:
    assert WITHHOLD_RULE == "withhold_evidence@2"


def test_a_working_time_under_a_tenth_of_the_median_is_evidence() -> None:
    evidence = withhold_evidence(time(2_999), None, NOTHING)
    assert evidence["rule"] == WITHHOLD_RULE
    assert evidence["evidence"] == ["working_time"]
    assert evidence["time"]["worked_ms"] == 2_999 and evidence["time"]["median_ms"] == 30_000


@pytest.mark.parametrize("answer", [
    check_answer(CHOICE, "a", gold_answer="a"),  # right on gold
    check_answer(CHOICE, "a", consensus="a", confidence=0.99, other_answers=["a"]),  # agrees
    NOTHING,
])
def test_a_fast_answer_is_withheld_whatever_it_is_compared_with(answer: AnswerCheck) -> None:
    assert withhold_evidence(time(100), BELOW, answer)["evidence"] == ["working_time"]
    assert withhold_evidence(time(100), None, answer)["evidence"] == ["working_time"]


@pytest.mark.parametrize("record", [
    time(3_000),  # exactly a tenth is not under it
    time(1_000, median_ms=None, measured=0),  # nothing measured yet
    time(1_000, measured=19),  # too few answers for the median to count
])
def test_without_evidence_withholding_is_refused_naming_the_rule(record: TimeRecord) -> None:
    with pytest.raises(WithholdNotEvidenced) as refused:
        withhold_evidence(record, None, NOTHING)
    assert WITHHOLD_RULE in refused.value.message
    assert refused.value.details["rule"] == WITHHOLD_RULE
    assert refused.value.code == "withhold_not_evidenced"


def test_low_gold_accuracy_and_an_answer_wrong_against_gold_is_evidence() -> None:
    evidence = withhold_evidence(time(20_000), BELOW, WRONG_ON_GOLD)
    assert evidence["evidence"] == ["gold_accuracy"]
    assert evidence["answer"] == {"compared_with": "gold", "answer_matches": False,
                                  "answer_shown_wrong": True}
    both = withhold_evidence(time(100), BELOW, WRONG_ON_GOLD)
    assert both["evidence"] == ["gold_accuracy", "working_time"]
    assert both["gold"]["gold_correct"] == 7


def test_low_gold_accuracy_and_an_answer_against_an_established_consensus_is_evidence() -> None:
    answer = check_answer(CHOICE, "a", consensus="b", confidence=0.9, other_answers=["b", "a"])
    evidence = withhold_evidence(time(20_000), BELOW, answer)
    assert evidence["evidence"] == ["gold_accuracy"]
    assert evidence["answer"] == {
        "compared_with": "consensus", "answer_matches": False, "answer_shown_wrong": True,
        "consensus_confidence": 0.9, "consensus_min_confidence": 0.8,
        "other_answers_agreeing": 1}


@pytest.mark.parametrize("answer", [
    check_answer(CHOICE, "a", gold_answer="a"),  # meets the gold answer
    check_answer(CHOICE, "a", consensus="a", confidence=0.95, other_answers=["a"]),
])
def test_a_right_answer_is_never_withheld_for_a_low_gold_accuracy(answer: AnswerCheck) -> None:
    worst = GoldRecord(correct=0, total=10, min_accuracy=1.0, min_items=5)
    with pytest.raises(WithholdNotEvidenced) as refused:
        withhold_evidence(time(20_000), worst, answer)
    assert "not shown wrong" in refused.value.message
    assert refused.value.checks["answer"]["answer_shown_wrong"] is False


@pytest.mark.parametrize("answer", [
    NOTHING,  # no consensus yet
    check_answer(CHOICE, "a", consensus="b", confidence=None, other_answers=["b"]),
    check_answer(CHOICE, "a", consensus="b", confidence=0.79, other_answers=["b", "b"]),
    check_answer(CHOICE, "a", consensus="b", confidence=0.99, other_answers=["a"]),  # alone
    check_answer(CHOICE, "a", consensus="b", confidence=0.99, other_answers=[]),
    check_answer(CHOICE, "a", consensus="b", confidence=0.85, other_answers=["b"],
                 confidence_target=0.9),  # below the project's higher target
])
def test_against_no_or_a_weak_consensus_withholding_is_refused_saying_to_wait(
        answer: AnswerCheck) -> None:
    with pytest.raises(WithholdNotEvidenced) as refused:
        withhold_evidence(time(20_000), BELOW, answer)
    message = refused.value.message
    assert "not shown wrong" in message and "the answer is paid" in message
    assert "wait until other workers have answered this task" in message


def test_a_project_cannot_lower_the_consensus_confidence_below_the_default() -> None:
    low_target = check_answer(CHOICE, "a", consensus="b", confidence=0.7, other_answers=["b"],
                              confidence_target=0.6)
    assert low_target.min_confidence == 0.8 and not low_target.shown_wrong


@pytest.mark.parametrize("gold", [
    GoldRecord(correct=8, total=10, min_accuracy=0.8, min_items=10),  # at the threshold
    GoldRecord(correct=0, total=9, min_accuracy=0.8, min_items=10),  # too few gold items
    GoldRecord(correct=0, total=10, min_accuracy=None, min_items=10),  # no stated threshold
])
def test_gold_that_is_not_below_or_not_enough_is_no_evidence(gold: GoldRecord) -> None:
    with pytest.raises(WithholdNotEvidenced):
        withhold_evidence(time(20_000), gold, WRONG_ON_GOLD)
    assert propose_for_gold(gold) is None


def test_gold_below_the_threshold_proposes_a_block_only() -> None:
    proposal = propose_for_gold(GoldRecord(correct=1, total=10, min_accuracy=0.8, min_items=5))
    assert proposal is not None and proposal.rule == "gold_accuracy@1"
    assert "moderator" in str(proposal.explanation)


def test_the_fast_answers_rule_proposes_when_most_recent_answers_are_impossibly_fast() -> None:
    fast = [1_000] * (FAST_MIN_ANSWERS // 2 + 1) + [40_000] * (FAST_MIN_ANSWERS // 2)
    proposal = propose_for_fast_answers(fast, median_ms=30_000, answers_measured=20,
                                        min_answers=20)
    assert proposal is not None and proposal.inputs["fast_answers"] == FAST_MIN_ANSWERS // 2 + 1
    half = [1_000] * 5 + [40_000] * 5
    assert propose_for_fast_answers(half, median_ms=30_000, answers_measured=20,
                                    min_answers=20) is None
    assert propose_for_fast_answers([1_000] * (FAST_MIN_ANSWERS - 1), median_ms=30_000,
                                    answers_measured=20, min_answers=20) is None
    assert propose_for_fast_answers([1_000] * 20, median_ms=None, answers_measured=0,
                                    min_answers=20) is None


def test_a_rule_alone_may_only_propose_restricting_access() -> None:
    for kind in (DecisionKind.QUALITY_BLOCK, DecisionKind.REMOVAL,
                 DecisionKind.QUALIFICATION_REVOKED):
        with pytest.raises(InvalidInput) as refused:
            check_restricting(kind, rule="fast_answers@1", decided_by=None,
                              status=DecisionStatus.FINAL)
        assert refused.value.code == "human_decides"
        check_restricting(kind, rule="fast_answers@1", decided_by=None,
                          status=DecisionStatus.PROPOSED)
        check_restricting(kind, rule="fast_answers@1", decided_by=7, status=DecisionStatus.FINAL)
    check_restricting(DecisionKind.TOPUP, rule="pay_floor@1", decided_by=None,
                      status=DecisionStatus.FINAL)


def decision(status: DecisionStatus = DecisionStatus.FINAL) -> Decision:
    return Decision(1, 2, 3, None, DecisionKind.QUALITY_BLOCK, "fast_answers@1", 9, {}, "x",
                    "y", status, None, NOW)


def test_a_decision_is_appealed_once_and_a_proposal_not_at_all() -> None:
    check_appealable(decision(), already=False)
    with pytest.raises(AlreadyAppealed):
        check_appealable(decision(), already=True)
    with pytest.raises(NotAppealable):
        check_appealable(decision(DecisionStatus.PROPOSED), already=False)


@pytest.mark.parametrize(("kind", "status", "appealable"), [
    (DecisionKind.ANSWER_REJECTED, DecisionStatus.FINAL, True),
    (DecisionKind.REMOVAL, DecisionStatus.FINAL, True),
    (DecisionKind.PROJECT_ENDED, DecisionStatus.FINAL, True),
    (DecisionKind.ANSWER_APPROVED, DecisionStatus.FINAL, False),
    (DecisionKind.TOPUP, DecisionStatus.FINAL, False),
    (DecisionKind.QUALITY_BLOCK, DecisionStatus.PROPOSED, False),
    (DecisionKind.QUALITY_BLOCK, DecisionStatus.DECLINED, False)])
def test_only_a_decision_in_force_against_the_worker_is_appealable(
        kind: DecisionKind, status: DecisionStatus, appealable: bool) -> None:
    d = Decision(1, 2, 3, None, kind, None, 9, {}, "x", "y", status, None, NOW)
    assert is_appealable(d) is appealable
    if not appealable:
        with pytest.raises(NotAppealable):
            check_appealable(d, already=False)


def test_an_appeal_is_overdue_from_its_deadline_on() -> None:
    deadline = appeal_deadline(NOW, timedelta(days=7))
    assert deadline == NOW + timedelta(days=7)
    appeal = Appeal(1, 1, 2, "m", NOW, deadline, AppealStatus.OPEN, None, None, None)
    assert not appeal.is_overdue(deadline - timedelta(seconds=1))
    assert appeal.is_overdue(deadline)
    resolved = Appeal(1, 1, 2, "m", NOW, deadline, AppealStatus.UPHELD, 5, "r", NOW)
    assert not resolved.is_overdue(deadline + timedelta(days=1))


def test_outcomes_and_texts_are_checked() -> None:
    assert parse_appeal_outcome("overturned") is AppealStatus.OVERTURNED
    with pytest.raises(InvalidInput):
        parse_appeal_outcome("open")
    with pytest.raises(InvalidInput):
        check_text("   ", "the reason")
    assert check_text("", "the reason", required=False) == ""


def test_ratings_need_a_few_answers_and_show_only_from_three_workers() -> None:
    with pytest.raises(NotEnoughWork):
        check_can_rate(2, already=False)
    check_can_rate(3, already=False)
    with pytest.raises(InvalidInput):
        Scores(0, 3, 3, 3)
    with pytest.raises(InvalidInput):
        Scores(3, 3, 3, True)
    two = [(1, Scores(5, 5, 5, 5), "good"), (2, Scores(1, 1, 1, 1), None)]
    assert summarize(two) is None
    three = [*two, (3, Scores(3, 3, 3, 2), "fine")]
    summary = summarize(three)
    assert summary is not None and summary.raters == MIN_RATERS_SHOWN
    assert summary.averages == {"pay": 3.0, "communication": 3.0, "fairness": 3.0,
                                "promptness": 2.67}
    assert sorted(summary.comments) == ["fine", "good"]


def test_testimonies_are_publishable_only_from_three_distinct_workers() -> None:
    assert not publishable({1: 5, 2: 1})
    assert not publishable({1: 1, 2: 1, 3: 0})
    assert publishable({1: 1, 2: 1, 3: 1})
    with pytest.raises(InvalidInput):
        check_testimony("too short")


def test_the_registry_states_the_settings_in_force() -> None:
    policy = CharterPolicy(FloorTable({"USD": 1500}, {}), review_window=timedelta(hours=48),
                           appeal_deadline=timedelta(days=5))
    systems = {s.rule: s for s in registry(policy)}
    assert {"pay_floor@1", "auto_approval@1", WITHHOLD_RULE, "fast_answers@1",
            "gold_accuracy@1", "appeal_deadline@1"} <= set(systems)
    assert "48 h" in str(systems["auto_approval@1"].parameters[0].value)
    assert "5 days" in str(systems["appeal_deadline@1"].parameters[0].value)
    assert "15.00 USD/h" in str(systems["pay_floor@1"].parameters[0].value)
    assert systems["fast_answers@1"].proposes_only
    assert all(s.contest and s.reads for s in systems.values())
