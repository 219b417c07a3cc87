"""Quality rules, pure: gold scoring, qualification, the gold draw, answer keys, terms."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.projects import ProjectStatus, check_can_launch
from fairlabel.domain.quality import (
    Attempt,
    GoldScore,
    Qualification,
    QualificationState,
    QualityTerms,
    answer_from_text,
    answer_key,
    classes,
    is_correct,
    key_to_answer,
    qualification_status,
    serve_gold,
)

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
RULE = Qualification(size=4, pass_mark=0.75, retry_after_hours=24)


def attempt(answered: int, correct: int, *, finished: datetime | None = None,
            passed: bool | None = None) -> Attempt:
    return Attempt(1, NOW - timedelta(hours=1), answered, correct, finished, passed)


def test_gold_accuracy_is_the_beta_posterior_mean() -> None:
    assert GoldScore(0, 0).accuracy == 0.75  # the prior: 3 right, 1 wrong
    assert GoldScore(0, 1).accuracy == pytest.approx(0.6)  # one early miss does not sink
    assert GoldScore(10, 10).accuracy == pytest.approx(13 / 14)
    assert GoldScore(0, 1).raw_accuracy == 0 and GoldScore(0, 0).raw_accuracy is None


def test_passing_needs_every_item_and_the_pass_mark() -> None:
    assert RULE.passed(3, 4) and RULE.passed(4, 4)
    assert not RULE.passed(2, 4) and not RULE.passed(3, 3)
    assert Qualification(3, 2 / 3).passed(2, 3)  # no float rounding trap at the mark


@pytest.mark.parametrize("bad", [{"size": 0, "pass_mark": 0.5}, {"size": 51, "pass_mark": 0.5},
                                 {"size": 3, "pass_mark": 0}, {"size": 3, "pass_mark": 1.2},
                                 {"size": 3, "pass_mark": 0.5, "retry_after_hours": -1}])
def test_qualification_rules_are_checked(bad: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        Qualification(**bad)  # type: ignore[arg-type]


def test_qualification_status_walks_through_its_states() -> None:
    assert qualification_status(None, [], now=NOW).state is QualificationState.NOT_REQUIRED
    assert qualification_status(RULE, [], now=NOW).state is QualificationState.NOT_STARTED
    going = qualification_status(RULE, [attempt(2, 2)], now=NOW)
    assert going.state is QualificationState.IN_PROGRESS and not going.may_work()
    failed = qualification_status(RULE, [attempt(4, 2, finished=NOW, passed=False)], now=NOW)
    assert failed.state is QualificationState.FAILED
    assert failed.retry_at == NOW + timedelta(hours=24)
    later = qualification_status(RULE, [attempt(4, 2, finished=NOW, passed=False)],
                                 now=NOW + timedelta(hours=24))
    assert later.state is QualificationState.NOT_STARTED
    passed = qualification_status(RULE, [attempt(4, 2, finished=NOW, passed=False),
                                         attempt(4, 4, finished=NOW, passed=True)], now=NOW)
    assert passed.state is QualificationState.PASSED and passed.may_work()


def test_the_gold_draw_follows_the_rate() -> None:
    rng = random.Random(1)
    draws = [serve_gold(rng, 0.2) for _ in range(10_000)]
    assert 0.18 < sum(draws) / len(draws) < 0.22
    assert not any(serve_gold(rng, 0.0) for _ in range(1000))


def test_answers_compare_by_what_the_schema_means() -> None:
    pairwise = parse_schema({"type": "pairwise"})
    assert is_correct(pairwise, {"choice": "a", "rationale": "clearer"}, {"choice": "a"})
    multi = parse_schema({"type": "multi_choice", "choices": ["x", "y", "z"]})
    assert is_correct(multi, ["x", "z"], ["x", "z"]) and not is_correct(multi, ["x"], ["x", "z"])
    text = parse_schema({"type": "free_text"})
    assert is_correct(text, "  Paris  France", "paris france")
    rating = parse_schema({"type": "rating", "min": 1, "max": 3})
    assert classes(rating) == [1, 2, 3] and classes(pairwise) == ["a", "b"]
    assert classes(multi) is None
    assert key_to_answer(multi, answer_key(multi, ["x", "y"])) == ["x", "y"]
    assert key_to_answer(pairwise, "b") == {"choice": "b"}


def test_gold_answers_written_as_text() -> None:
    assert answer_from_text(parse_schema({"type": "rating"}), " 4 ") == 4
    assert answer_from_text(parse_schema({"type": "pairwise"}), "b") == {"choice": "b"}
    multi = parse_schema({"type": "multi_choice", "choices": ["x", "y"]})
    assert answer_from_text(multi, "x | y") == ["x", "y"]
    assert answer_from_text(multi, '["y"]') == ["y"]
    single = parse_schema({"type": "single_choice", "choices": ["1", "2"]})
    assert answer_from_text(single, "1") == "1"


@pytest.mark.parametrize("bad", [{"gold_rate": 0.6}, {"gold_min_accuracy": 0},
                                 {"consensus_method": "vote"}, {"confidence_target": 0.4},
                                 {"confidence_target": 1.0}, {"min_answers": 0},
                                 {"gold_min_items": 0}])
def test_quality_terms_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        QualityTerms(**bad)  # type: ignore[arg-type]


def test_min_answers_cannot_exceed_the_redundancy() -> None:
    with pytest.raises(InvalidInput, match="cannot exceed the redundancy"):
        QualityTerms(confidence_target=0.9, min_answers=4).check_against(3)


def test_launch_needs_the_gold_the_terms_call_for() -> None:
    with pytest.raises(Conflict, match="qualification test has 4 items"):
        check_can_launch(ProjectStatus.DRAFT, 10, gold_count=3,
                         quality=QualityTerms(qualification=RULE))
    with pytest.raises(Conflict, match="mixes in gold"):
        check_can_launch(ProjectStatus.DRAFT, 10, gold_count=0,
                         quality=QualityTerms(gold_rate=0.1))
    check_can_launch(ProjectStatus.DRAFT, 10, gold_count=4,
                     quality=QualityTerms(gold_rate=0.1, qualification=RULE))


def test_a_revoked_pass_no_longer_counts_and_the_wait_runs_from_the_revocation() -> None:
    revoked_at = NOW + timedelta(days=3)
    attempts = [Attempt(1, NOW, 4, 4, NOW, True, revoked_at)]
    assert qualification_status(RULE, attempts, now=revoked_at).state is (
        QualificationState.FAILED)
    assert qualification_status(RULE, attempts, now=revoked_at).retry_at == (
        revoked_at + timedelta(hours=24))
    later = qualification_status(RULE, attempts, now=revoked_at + timedelta(hours=24))
    assert later.state is QualificationState.NOT_STARTED
