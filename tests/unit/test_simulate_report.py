"""The simulation report's figures on hand-made run logs, each with a known value."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.domain import ledger as L
from fairlabel.domain.ledger import Entry, LedgerTransaction
from fairlabel.domain.money import Money
from fairlabel.simulate.figures import StrategyFigures, figures
from fairlabel.simulate.log import (
    AnswerEvent,
    DecisionRecord,
    EscrowSample,
    ProjectEvent,
    Relaunch,
    RequesterInfo,
    ReviewEvent,
    RunLog,
    WorkerInfo,
)
from fairlabel.simulate.report import (
    MEANINGS,
    markdown,
    report_from_json,
    report_to_json,
    write_report,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
FLOOR = 1500  # 15.00 USD an hour: a 60-second answer's fair pay is 25 cents
HONEST, CUTTER = 10, 20  # requester ids
HOUR = timedelta(hours=1)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def new_log(**changes: object) -> RunLog:
    log = RunLog(seed=7, started=START, ended=START + timedelta(days=14), currency="USD",
                 floor_hourly_minor=FLOOR,
                 requesters=[RequesterInfo(HONEST, "honest", HONEST),
                             RequesterInfo(CUTTER, "silent_cutter", CUTTER)],
                 workers=[WorkerInfo(1, "regular", 60, 0.9), WorkerInfo(2, "regular", 60, 0.9)])
    for name, value in changes.items():
        setattr(log, name, value)
    return log


def answer(aid: int, *, worker: int = 1, project: int = 100, requester: int = HONEST,
           seconds: float = 60, nominal: int = 10, correct: bool = True,
           at: datetime = START + HOUR) -> AnswerEvent:
    return AnswerEvent(aid, worker, project, requester, at - timedelta(seconds=seconds), at,
                       nominal, "USD", correct)


def post(log: RunLog, tx: LedgerTransaction, at: datetime) -> None:
    """Record a movement in the statements of the workers it touches, as the engine reads
    them at the end (chained on fresh heads: the report reads amounts, not chains)."""
    for entry in L.append({}, tx, "t", at):
        kind, owner = L.owner_of(entry.account)
        if kind == "worker":
            log.statements.setdefault(int(owner), []).append(entry)


def memo(aid: int, project: int = 100) -> dict[str, int]:
    return {"assignment_id": aid, "project_id": project}


def earn(log: RunLog, aid: int, amount: int, *, worker: int = 1, project: int = 100,
         at: datetime = START + HOUR) -> None:
    post(log, L.earn(project, worker, usd(amount), usd(0), memo(aid, project)), at)


def approve(log: RunLog, aid: int, amount: int, *, worker: int = 1, project: int = 100,
            at: datetime = START + 2 * HOUR) -> None:
    post(log, L.approve(worker, usd(amount), memo(aid, project)), at)


def test_an_underpaid_answer_counts_its_hours_and_a_topped_up_one_does_not() -> None:
    log = new_log(answers=[answer(1), answer(2, worker=2)])
    earn(log, 1, 10)
    earn(log, 2, 10, worker=2)
    post(log, L.topup(100, 2, usd(15), memo(2), approved=False), START + HOUR)
    report = figures(log)
    assert report.overall.hours_below_floor == pytest.approx(60 / 3600)
    assert report.overall.answers_below_floor == 1
    assert report.overall.paid_minor == 35
    assert report.overall.worker_hours == pytest.approx(120 / 3600)
    # Without the charter neither is topped up: both are below.
    assert report.overall.hours_below_floor_nominal == pytest.approx(120 / 3600)
    assert report.overall.paid_nominal_minor == 20


def test_one_minor_unit_short_is_rounding_two_are_below() -> None:
    log = new_log(answers=[answer(1), answer(2, worker=2)])
    earn(log, 1, 24)  # fair is 25
    earn(log, 2, 23, worker=2)
    assert figures(log).overall.answers_below_floor == 1


def test_approval_is_not_counted_twice() -> None:
    """Approval moves pay between the worker's own accounts: not more pay."""
    log = new_log(answers=[answer(1)])
    earn(log, 1, 25)
    approve(log, 1, 25)
    report = figures(log)
    assert report.overall.paid_minor == 25
    assert report.overall.hours_below_floor == 0


def rejected(aid: int, *, withheld: bool = True, refused: bool = False,
             decision_id: int | None = None, requester: int = HONEST) -> ReviewEvent:
    return ReviewEvent(aid, requester, START + 2 * HOUR, "rejected", withheld, refused,
                       decision_id=decision_id)


def test_a_justified_withholding_is_not_below_the_floor_an_unjustified_one_is() -> None:
    log = new_log(answers=[answer(1, correct=False), answer(2, worker=2, correct=True)],
                  reviews=[rejected(1), rejected(2)])
    for aid, worker in ((1, 1), (2, 2)):
        earn(log, aid, 25, worker=worker)
        post(log, L.withhold(100, worker, usd(25), memo(aid)), START + 2 * HOUR)
    report = figures(log)
    assert report.overall.paid_minor == 0
    assert report.overall.answers_below_floor == 1  # the correct answer only
    assert report.overall.answers_below_floor_nominal == 1
    assert report.overall.rejections == report.overall.rejections_withheld == 2


def test_a_spammers_right_answer_withheld_is_a_withholding_with_cause() -> None:
    log = new_log(answers=[answer(1, worker=3, correct=True)], reviews=[rejected(1)])
    log.workers.append(WorkerInfo(3, "spammer", 4, 0.33))
    earn(log, 1, 25, worker=3)
    post(log, L.withhold(100, 3, usd(25), memo(1)), START + 2 * HOUR)
    report = figures(log)
    assert report.overall.answers_below_floor == 0
    assert report.overall.answers_below_floor_nominal == 0


def test_a_wrong_answer_paid_in_full_is_not_below_the_floor() -> None:
    log = new_log(answers=[answer(1, correct=False, nominal=25)])
    earn(log, 1, 25)
    report = figures(log)
    assert report.overall.answers_below_floor == 0
    assert report.overall.answers_below_floor_nominal == 0


def test_without_the_charter_a_rejection_refused_by_the_platform_withholds_anyway() -> None:
    log = new_log(answers=[answer(1, nominal=25)], reviews=[rejected(1, refused=True)])
    earn(log, 1, 25)
    report = figures(log)
    assert (report.overall.answers_below_floor, report.overall.answers_below_floor_nominal) == (
        0, 1)
    assert (report.overall.paid_minor, report.overall.paid_nominal_minor) == (25, 0)
    assert report.overall.rejections_refused == 1
    assert report.overall.rejections_withheld == 0


def test_the_floor_is_at_the_projects_median_time() -> None:
    # Times 30 s, 60 s, 600 s: the median is 60 s, fair 25; the long answer paid 25 is fine.
    log = new_log(answers=[answer(1, seconds=30), answer(2, seconds=60), answer(3, seconds=600)])
    for aid in (1, 2, 3):
        earn(log, aid, 25)
    assert figures(log).overall.hours_below_floor == 0
    log = new_log(answers=[answer(1, seconds=30), answer(2, seconds=60), answer(3, seconds=600)])
    for aid in (1, 2, 3):
        earn(log, aid, 13)  # fair at 30 s, not at the median
    assert figures(log).overall.hours_below_floor == pytest.approx(690 / 3600)


def ended_now(project: int, at: datetime, notice_days: int = 7) -> ProjectEvent:
    return ProjectEvent(project, HONEST, at, "ended", "immediate", notice_days=notice_days)


def test_notice_pay_owed_against_paid() -> None:
    end = START + timedelta(days=20)
    log = new_log(ended=START + timedelta(days=30),
                  answers=[answer(1, at=end - timedelta(days=3), nominal=140),
                           answer(2, at=end - timedelta(days=15), nominal=1000)],
                  projects=[ProjectEvent(100, HONEST, START, "launched"), ended_now(100, end)])
    earn(log, 1, 140, at=end - timedelta(days=3))
    earn(log, 2, 1000, at=end - timedelta(days=15))  # out of the 14 days
    post(log, L.notice_pay(100, 1, usd(50), {"project_id": 100}), end)
    report = figures(log)
    assert report.overall.notice_owed_minor == 70  # 140 × 7 / 14
    assert report.overall.notice_paid_minor == 50
    assert report.overall.paid_minor == 1190
    assert report.overall.immediate_ends == 1
    assert report.by_strategy["honest"].notice_owed_minor == 70
    assert report.by_strategy["silent_cutter"].notice_owed_minor == 0


def test_notice_pay_after_a_pause_counts_the_days_before_the_pause() -> None:
    paused, end = START + timedelta(days=5), START + timedelta(days=20)
    log = new_log(ended=START + timedelta(days=30),
                  answers=[answer(1, at=paused - HOUR, nominal=280)],
                  projects=[ProjectEvent(100, HONEST, paused, "paused"), ended_now(100, end)])
    earn(log, 1, 280, at=paused - HOUR)
    assert figures(log).overall.notice_owed_minor == 140
    log.projects = [ended_now(100, end)]  # without the pause: 15 days after the answer
    assert figures(log).overall.notice_owed_minor == 0
    log.projects = [ProjectEvent(100, HONEST, paused, "paused"),
                    ProjectEvent(100, HONEST, paused + HOUR, "launched"), ended_now(100, end)]
    assert figures(log).overall.notice_owed_minor == 0  # served again: the end counts


def decision(did: int, *, explained: bool = True, appealed: bool = False,
             decided: datetime | None = None, outcome: str | None = None,
             project: int | None = 100) -> DecisionRecord:
    return DecisionRecord(did, 1, project, "answer_rejected", START + 2 * HOUR, explained,
                          appealed_at=START + 3 * HOUR if appealed else None,
                          appeal_deadline=START + timedelta(days=3) if appealed else None,
                          appeal_decided_at=decided, appeal_outcome=outcome)


def test_an_overturned_appeal_and_late_appeals() -> None:
    log = new_log(answers=[answer(1), answer(2)],
                  reviews=[rejected(1, decision_id=5), rejected(2, decision_id=6)],
                  decisions=[decision(5, appealed=True, decided=START + timedelta(days=1),
                                      outcome="overturned"),
                             decision(6, appealed=True, decided=START + timedelta(days=4),
                                      outcome="upheld"),
                             decision(7, appealed=True),  # undecided, past its deadline
                             decision(8, explained=False, project=None)])
    report = figures(log)
    assert report.overall.rejections_overturned == 1
    assert report.overall.appeals == 3
    assert report.overall.appeals_late == 2
    assert report.overall.decisions == 4
    assert report.overall.decisions_unexplained == 1
    assert report.by_strategy["honest"].decisions == 3  # the one without a project is overall
    log.ended = START + timedelta(days=2)  # the undecided appeal is not late yet
    assert figures(log).overall.appeals_late == 1


def test_weekly_income_volatility_of_a_known_series() -> None:
    # Worker 1 earns 100 in week 1 and 300 in week 2: mean 200, deviation 100, CV 0.5.
    # Worker 2 earns 200 each week: CV 0. The median over the two: 0.25.
    log = new_log(answers=[answer(1, nominal=100), answer(2, nominal=300,
                                                             at=START + timedelta(days=8)),
                           answer(3, worker=2, nominal=200),
                           answer(4, worker=2, nominal=200, at=START + timedelta(days=8))])
    earn(log, 1, 100)
    earn(log, 2, 300, at=START + timedelta(days=8))
    earn(log, 3, 200, worker=2)
    earn(log, 4, 200, worker=2, at=START + timedelta(days=8))
    report = figures(log)
    assert report.overall.income_volatility_median == pytest.approx(0.25)
    assert report.overall.income_volatility_median_nominal == pytest.approx(0.25)
    # Without the charter, a rejection takes the 300 away: worker 1 earns only in week 1
    # (CV 1), worker 2 stays at 0.
    log.reviews = [rejected(2)]
    assert figures(log).overall.income_volatility_median_nominal == pytest.approx(0.5)


def test_time_to_available_money() -> None:
    log = new_log(answers=[answer(1), answer(2), answer(3)])
    for aid, hours in ((1, 1), (2, 3)):
        earn(log, aid, 25)
        approve(log, aid, 25, at=START + HOUR + hours * HOUR)
    earn(log, 3, 20)  # never approved: a top-up to pending does not make it available
    post(log, L.topup(100, 1, usd(5), memo(3), approved=False), START + 5 * HOUR)
    report = figures(log)
    assert report.overall.available_hours_p50 == pytest.approx(2)
    assert report.overall.available_hours_p95 == pytest.approx(2.9)
    assert report.overall.answers_never_available == 1


def test_escrow_peak_and_mean_per_strategy() -> None:
    day = timedelta(days=1)
    log = new_log(escrow=[EscrowSample(START, HONEST, 100, "USD"),
                          EscrowSample(START, CUTTER, 50, "USD"),
                          EscrowSample(START + day, HONEST, 301, "USD"),
                          EscrowSample(START + 2 * day, CUTTER, 10, "USD")])
    report = figures(log)
    assert (report.by_strategy["honest"].escrow_peak_minor,
            report.by_strategy["honest"].escrow_mean_minor) == (301, 134)
    assert (report.by_strategy["silent_cutter"].escrow_peak_minor,
            report.by_strategy["silent_cutter"].escrow_mean_minor) == (50, 20)
    assert (report.overall.escrow_peak_minor, report.overall.escrow_mean_minor) == (301, 154)


def test_relaunches_by_strategy_and_variant() -> None:
    log = new_log(relaunches=[
        Relaunch(CUTTER, 100, None, ("reworded",), START, 5, 10, refused=True),
        Relaunch(CUTTER, 100, 101, ("reworded", "second_account"), START, 5, 10, refused=False,
                 linked=True),
        Relaunch(CUTTER, 100, 102, ("renamed_labels",), START, 5, 10, refused=False)])
    figures_ = figures(log).by_strategy["silent_cutter"]
    assert (figures_.relaunches, figures_.relaunches_refused, figures_.relaunches_launched,
            figures_.relaunches_linked) == (3, 1, 2, 1)
    assert figures_.projects == 3
    reworded = figures_.relaunches_by_variant["reworded"]
    assert (reworded.attempted, reworded.refused, reworded.launched, reworded.linked) == (
        2, 1, 1, 1)
    assert figures(log).by_strategy["honest"].relaunches == 0


def test_figures_are_split_by_the_projects_requester() -> None:
    log = new_log(answers=[answer(1), answer(2, project=200, requester=CUTTER, worker=2)])
    earn(log, 1, 25)
    earn(log, 2, 10, worker=2, project=200)
    report = figures(log)
    honest, cutter = report.by_strategy["honest"], report.by_strategy["silent_cutter"]
    assert (honest.answers, honest.paid_minor, honest.hours_below_floor) == (1, 25, 0)
    assert (cutter.answers, cutter.paid_minor, cutter.workers) == (1, 10, 1)
    assert cutter.hours_below_floor == pytest.approx(60 / 3600)
    assert report.overall.answers == 2 and report.overall.strategy == "all"
    assert (report.overall.workers, report.overall.requesters, report.overall.projects) == (
        2, 2, 2)
    assert (report.answers, report.workers, report.requesters, report.days) == (2, 2, 2, 14)


def sample_log() -> RunLog:
    log = new_log(answers=[answer(1), answer(2, worker=2, project=200, requester=CUTTER,
                                             at=START + timedelta(days=9))],
                  reviews=[rejected(2, requester=CUTTER)],
                  escrow=[EscrowSample(START, HONEST, 100, "USD")],
                  relaunches=[Relaunch(CUTTER, 200, 201, ("reworded",), START, 5, 10, False)],
                  ledger_verified=True, wall_seconds=1.5)
    earn(log, 1, 10)
    approve(log, 1, 10)
    earn(log, 2, 25, worker=2, project=200, at=START + timedelta(days=9))
    return log


def test_the_json_round_trips_and_the_files_are_the_same_each_time(tmp_path: Path) -> None:
    log = sample_log()
    write_report(log, tmp_path / "a")
    write_report(log, tmp_path / "b")
    written = json.loads((tmp_path / "a" / "report.json").read_text(encoding="utf-8"))
    assert report_from_json(written) == figures(log)
    assert written == report_to_json(figures(log))
    assert written["overall"]["currency"] == "USD" and written["overall"]["paid_minor"] == 35
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(["report.json", "report.md", "weekly_income.png",
                            "hours_below_floor.png", "escrow.png", "available_delay.png"])
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "weekly_income.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in (tmp_path / "a" / "escrow.png").read_bytes()


def test_the_markdown_has_a_table_per_figure_with_and_without_the_charter() -> None:
    text = markdown(figures(sample_log()))
    for name in MEANINGS:
        assert f"## {name}\n" in text
    shown = {f.name for f in fields(StrategyFigures)} - set(MEANINGS)
    assert shown == {"strategy", "hours_below_floor_nominal", "answers_below_floor_nominal",
                     "paid_nominal_minor", "income_volatility_median_nominal",
                     "relaunches_by_variant"}
    assert "| all | 0.35 USD | 0.10 USD |" in text  # paid: with and without the charter
    assert "| reworded | 1 | 0 | 1 | 0 |" in text
    assert "(weekly_income.png)" in text and "- seed: 7" in text


paid_answers = st.lists(st.tuples(st.integers(1, 3600), st.integers(0, 100),
                                  st.integers(0, 100), st.booleans()), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(paid_answers)
def test_without_rejections_the_charter_never_adds_hours_below_the_floor(
        cases: list[tuple[int, int, int, bool]]) -> None:
    """Each answer receives its nominal price plus a top-up ≥ 0: with the charter, no more
    hours are below the floor than without it, and no less is paid."""
    log = new_log(answers=[answer(aid, seconds=seconds, nominal=price, correct=correct)
                           for aid, (seconds, price, _, correct) in enumerate(cases, 1)])
    for aid, (_, price, top, _) in enumerate(cases, 1):
        if price:
            earn(log, aid, price)
        if top:
            post(log, L.topup(100, 1, usd(top), memo(aid), approved=False), START + HOUR)
    report = figures(log).overall
    assert report.hours_below_floor <= report.hours_below_floor_nominal
    assert report.paid_minor >= report.paid_nominal_minor


def test_statement_entries_of_other_kinds_do_not_count_as_pay() -> None:
    log = new_log(answers=[answer(1)])
    earn(log, 1, 25)
    approve(log, 1, 25)
    post(log, L.payout_batch(1, usd(25), {"assignment_id": 1}), START + 3 * HOUR)
    entries: list[Entry] = log.statements[1]
    assert [e.kind for e in entries] == ["earn", "approve", "approve", "payout_batch",
                                         "payout_batch"]
    assert figures(log).overall.paid_minor == 25


def test_an_answer_rejected_again_after_a_refusal_counts_once() -> None:
    """A requester refused a withholding may reject the answer again and pay it: one answer
    rejected, one refusal, nothing withheld."""
    log = new_log(answers=[answer(1)],
                  reviews=[rejected(1, refused=True), rejected(1, withheld=False)])
    earn(log, 1, 25)
    found = figures(log).overall
    assert (found.rejections, found.rejections_refused, found.rejections_withheld) == (1, 1, 0)
