"""The median working time as the periodic job reads it — the number of answers and the two
middle times, at two offsets of an index — is the median of every answer's time, on SQLite
and PostgreSQL, for odd and even numbers of answers, ties and other projects' answers."""

from __future__ import annotations

import random

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.pay import measured_median, measured_median_of
from tests.conftest import Accounts
from tests.integration.test_fair_pay import make_project, work
from tests.support.clock import FakeClock


@pytest.mark.parametrize("answers", [1, 2, 7, 8])
def test_the_median_read_at_two_offsets_is_the_median_of_every_answer(
        container: Container, people: Accounts, clock: FakeClock, answers: int) -> None:
    requester = people.make(Role.REQUESTER)[0]
    project, other = (make_project(container, requester, tasks=answers, lease_seconds=600)
                      for _ in range(2))
    draw = random.Random(answers)
    for pid, count in ((project, answers), (other, 3)):
        for _ in range(count):
            seconds = draw.choice([2.5, 2.5, 9.0, 31.0015, 0.2, 60.75])  # ties included
            work(container, clock, people.make(Role.WORKER)[0], pid, seconds=seconds,
                 answers=1)
    with container.db.read() as tx:
        every = tx.assignments.durations_ms(project)
        middle = tx.assignments.middle_durations(project)
    assert len(every) == answers
    assert measured_median_of(middle) == (measured_median(every), answers)


def test_a_project_without_answers_has_no_median(container: Container,
                                                people: Accounts) -> None:
    pid = make_project(container, people.make(Role.REQUESTER)[0], tasks=1)
    with container.db.read() as tx:
        middle = tx.assignments.middle_durations(pid)
    assert middle is None
    with pytest.raises(InvalidInput):
        measured_median_of(middle)
