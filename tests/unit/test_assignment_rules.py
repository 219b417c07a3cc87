from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain.assignment import (
    AlreadySubmitted,
    Assignment,
    AssignmentStatus,
    LeaseExpired,
    check_releasable,
    check_submittable,
    is_replay,
    lease_expiry,
)
from fairlabel.domain.errors import Conflict

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def assignment(status: AssignmentStatus = AssignmentStatus.LEASED, *, answer: object = None,
               key: str | None = None, lease_seconds: int = 600) -> Assignment:
    return Assignment(1, 10, 100, 7, status, NOW, lease_expiry(NOW, lease_seconds),
                      NOW if status is AssignmentStatus.SUBMITTED else None, answer, key)


def test_a_live_lease_can_be_submitted_until_it_expires() -> None:
    check_submittable(assignment(), NOW + timedelta(seconds=599))
    with pytest.raises(LeaseExpired, match="went back to the pool"):
        check_submittable(assignment(), NOW + timedelta(seconds=600))


@pytest.mark.parametrize(("status", "error"), [
    (AssignmentStatus.SUBMITTED, AlreadySubmitted),
    (AssignmentStatus.EXPIRED, LeaseExpired),
    (AssignmentStatus.RELEASED, Conflict),
])
def test_only_a_live_lease_takes_an_answer(status: AssignmentStatus, error: type) -> None:
    with pytest.raises(error):
        check_submittable(assignment(status), NOW)


def test_a_retry_with_the_same_key_is_a_replay_and_a_new_key_is_not() -> None:
    done = assignment(AssignmentStatus.SUBMITTED, answer="a", key="k1")
    assert is_replay(done, "b", "k1")
    assert not is_replay(done, "a", "k2")


def test_without_a_key_the_same_answer_is_a_replay() -> None:
    done = assignment(AssignmentStatus.SUBMITTED, answer="a")
    assert is_replay(done, "a", None)
    assert not is_replay(done, "b", None)
    assert not is_replay(assignment(), "a", None)


def test_only_leased_tasks_can_be_skipped() -> None:
    check_releasable(assignment())
    with pytest.raises(Conflict, match="submitted"):
        check_releasable(assignment(AssignmentStatus.SUBMITTED))


def test_is_active_needs_both_status_and_time() -> None:
    assert assignment().is_active(NOW)
    assert not assignment().is_active(NOW + timedelta(hours=1))
    assert not assignment(AssignmentStatus.RELEASED).is_active(NOW)
