"""The report's figures: pure computation over a :class:`~fairlabel.simulate.log.RunLog`.

:func:`figures` computes every figure for the whole run (strategy ``"all"``) and for each
requester strategy; docs/simulate.md ("The report: what each figure means") defines each one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil
from statistics import median, pstdev

import numpy as np

from fairlabel.domain.commitments import NOTICE_PAY_WINDOW, notice_pay
from fairlabel.simulate.answers import (
    PAY_KINDS,
    UNKNOWN_STRATEGY,
    AnswerPay,
    all_entries,
    answer_pay,
    project_id_of,
    requester_of_project,
    strategy_of_project,
    strategy_of_requester,
)
from fairlabel.simulate.log import ProjectEvent, Relaunch, RunLog

ALL = "all"
WEEK = timedelta(days=7)
INCOME_KINDS = PAY_KINDS | {"notice_pay"}
"""The movements that change a worker's income (``approve`` and payouts move money between
the worker's own accounts)."""


@dataclass(frozen=True, slots=True)
class RelaunchCounts:
    """Relaunches attempted, refused by the platform, launched and linked to the old work."""

    attempted: int = 0
    refused: int = 0
    launched: int = 0
    linked: int = 0


@dataclass(frozen=True, slots=True)
class StrategyFigures:
    """Every figure of one requester strategy (``"all"``: the whole run). Hours are measured
    hours; money is integer minor units of the run's currency; ``None`` where nothing was
    measured."""

    strategy: str
    requesters: int
    projects: int
    workers: int
    answers: int
    worker_hours: float
    hours_below_floor: float
    hours_below_floor_nominal: float
    answers_below_floor: int
    answers_below_floor_nominal: int
    paid_minor: int
    paid_nominal_minor: int
    immediate_ends: int
    notice_owed_minor: int
    notice_paid_minor: int
    relaunches: int
    relaunches_refused: int
    relaunches_launched: int
    relaunches_linked: int
    rejections: int
    rejections_refused: int
    rejections_withheld: int
    rejections_overturned: int
    decisions: int
    decisions_unexplained: int
    appeals: int
    appeals_late: int
    escrow_peak_minor: int
    escrow_mean_minor: int
    income_volatility_median: float | None
    income_volatility_median_nominal: float | None
    available_hours_p50: float | None
    available_hours_p95: float | None
    answers_never_available: int
    relaunches_by_variant: dict[str, RelaunchCounts] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Report:
    """The run's facts, its figures overall and per strategy (sorted by name)."""

    seed: int
    currency: str
    floor_hourly_minor: int
    started: datetime
    ended: datetime
    days: float
    workers: int
    requesters: int
    answers: int
    wall_seconds: float
    ledger_verified: bool
    overall: StrategyFigures
    by_strategy: dict[str, StrategyFigures]


def _ratio_round(total: int, count: int) -> int:
    """``total / count`` rounded half up, in whole minor units (0 for no count)."""
    return (2 * total + count) // (2 * count) if count else 0


def week_count(log: RunLog) -> int:
    return max(1, ceil((log.ended - log.started) / WEEK))


def week_of(log: RunLog, moment: datetime) -> int:
    """The run's week a moment falls in (0-based, clipped to the run)."""
    return min(max(0, (moment - log.started) // WEEK), week_count(log) - 1)


def weekly_income(log: RunLog, *, keep: Callable[[int | None], bool] | None = None,
                  ) -> dict[int, list[int]]:
    """Per worker, their income in each week of the run from the ledger (what
    :data:`INCOME_KINDS` moved onto or off their accounts); ``keep`` selects by project."""
    weeks = week_count(log)
    income: dict[int, list[int]] = {}
    for worker_id in sorted(log.statements):
        series = [0] * weeks
        for entry in log.statements[worker_id]:
            if entry.kind in INCOME_KINDS and (keep is None or keep(project_id_of(entry))):
                series[week_of(log, entry.created_at)] += entry.amount_minor
        income[worker_id] = series
    return income


def weekly_income_nominal(log: RunLog, pays: Iterable[AnswerPay]) -> dict[int, list[int]]:
    """Per worker, their weekly income without the charter: each answer's nominal pay in the
    week it was submitted."""
    weeks = week_count(log)
    income: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    for pay in pays:
        income[pay.answer.worker_id][week_of(log, pay.answer.submitted_at)] += pay.nominal_minor
    return dict(income)


def volatility_median(income: dict[int, list[int]]) -> float | None:
    """The median, over workers with income, of the coefficient of variation of their weekly
    income (population standard deviation ÷ mean, over every week of the run)."""
    values = [pstdev(series) / (sum(series) / len(series))
              for series in income.values() if sum(series) > 0]
    return median(values) if values else None


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def escrow_totals(log: RunLog, requesters: set[int] | None = None) -> list[tuple[datetime, int]]:
    """Escrow held at each sample time of the run by these requesters (all: None), summed."""
    totals: dict[datetime, int] = {sample.at: 0 for sample in log.escrow}
    for sample in log.escrow:
        if requesters is None or sample.requester_id in requesters:
            totals[sample.at] += sample.held_minor
    return sorted(totals.items())


def _stopped_at(events: list[ProjectEvent], end: ProjectEvent) -> datetime:
    """When work stopped before an end at once: at a pause still in force, else the end."""
    paused: datetime | None = None
    for event in sorted((e for e in events if e.project_id == end.project_id
                         and e.at <= end.at), key=lambda e: e.at):
        if event.what == "paused":
            paused = event.at
        elif event.what == "launched":
            paused = None
    return paused if paused is not None else end.at


def notice_owed(log: RunLog, pays: list[AnswerPay]) -> dict[int, int]:
    """Per project ended at once, the notice pay the charter owes its workers: each one's
    daily average over the 14 days before work stopped, times the notice days, as
    :func:`fairlabel.domain.commitments.notice_pay` computes it."""
    owed: dict[int, int] = {}
    for end in log.projects:
        if end.what != "ended" or end.detail != "immediate":
            continue
        stopped = _stopped_at(log.projects, end)
        earned: dict[int, int] = defaultdict(int)
        for pay in pays:
            answer = pay.answer
            if (answer.project_id == end.project_id
                    and stopped - NOTICE_PAY_WINDOW <= answer.submitted_at <= end.at):
                earned[answer.worker_id] += pay.received_minor
        owed[end.project_id] = (owed.get(end.project_id, 0)
                                + sum(notice_pay(earned, end.notice_days or 0).values()))
    return owed


def notice_paid(log: RunLog) -> dict[int, int]:
    """Per project, the notice pay its workers' ledgers received."""
    paid: dict[int, int] = defaultdict(int)
    for entry in all_entries(log):
        project_id = project_id_of(entry)
        if entry.kind == "notice_pay" and project_id is not None:
            paid[project_id] += entry.amount_minor
    return dict(paid)


def figures(log: RunLog, pays: list[AnswerPay] | None = None) -> Report:
    """Every figure of the run, overall and per requester strategy; ``pays``: the answers'
    pay (``answer_pay(log)``) when the caller has it already."""
    pays = answer_pay(log) if pays is None else pays
    strategies = sorted({info.strategy for info in log.requesters}
                        | {pay.strategy for pay in pays})
    computed = _Computed(log, pays)
    return Report(
        seed=log.seed, currency=log.currency, floor_hourly_minor=log.floor_hourly_minor,
        started=log.started, ended=log.ended,
        days=(log.ended - log.started) / timedelta(days=1),
        workers=len(log.workers), requesters=len(log.requesters), answers=len(log.answers),
        wall_seconds=log.wall_seconds, ledger_verified=log.ledger_verified,
        overall=computed.strategy(ALL), by_strategy={s: computed.strategy(s) for s in strategies})


class _Computed:
    """What every strategy's figures are filtered from, computed once."""

    def __init__(self, log: RunLog, pays: list[AnswerPay]) -> None:
        self.log = log
        self.pays = pays
        self.requester_strategy = strategy_of_requester(log)
        self.project_strategy = strategy_of_project(log)
        self.project_requester = requester_of_project(log)
        self.owed = notice_owed(log, pays)
        self.paid_notice = notice_paid(log)
        self.decision_kept = {d.decision_id: d for d in log.decisions}

    def _of_requester(self, strategy: str, requester_id: int) -> bool:
        return strategy == ALL or self.requester_strategy.get(
            requester_id, UNKNOWN_STRATEGY) == strategy

    def _of_project(self, strategy: str, project_id: int | None) -> bool:
        return strategy == ALL or (project_id is not None and self.project_strategy.get(
            project_id, UNKNOWN_STRATEGY) == strategy)

    def strategy(self, strategy: str) -> StrategyFigures:
        log = self.log
        pays = [p for p in self.pays if strategy in (ALL, p.strategy)]
        projects = {p for p in self.project_requester if self._of_project(strategy, p)}
        requesters = {r.user_id for r in log.requesters if self._of_requester(strategy, r.user_id)}
        relaunches = [r for r in log.relaunches if self._of_requester(strategy, r.requester_id)]
        reviews = [r for r in log.reviews
                   if r.outcome == "rejected" and self._of_requester(strategy, r.requester_id)]
        withheld = [r for r in reviews if r.withheld and not r.refused]
        decisions = [d for d in log.decisions if self._of_project(strategy, d.project_id)]
        appeals = [d for d in decisions if d.appealed_at is not None]
        delays = [(p.available_at - p.answer.submitted_at) / timedelta(hours=1)
                  for p in pays if p.available_at is not None]
        escrow = [held for _, held in escrow_totals(log, None if strategy == ALL else requesters)]
        notice_owed = sum(v for p, v in self.owed.items() if p in projects)
        notice_paid = sum(v for p, v in self.paid_notice.items() if p in projects)
        keep = None if strategy == ALL else projects.__contains__
        return StrategyFigures(
            strategy=strategy, requesters=len(requesters), projects=len(projects),
            workers=(len(log.workers) if strategy == ALL
                     else len({p.answer.worker_id for p in pays})),
            answers=len(pays),
            worker_hours=sum(p.hours for p in pays),
            hours_below_floor=sum(p.hours for p in pays if p.below_floor),
            hours_below_floor_nominal=sum(p.hours for p in pays if p.below_floor_nominal),
            answers_below_floor=sum(p.below_floor for p in pays),
            answers_below_floor_nominal=sum(p.below_floor_nominal for p in pays),
            paid_minor=sum(p.received_minor for p in pays) + notice_paid,
            paid_nominal_minor=sum(p.nominal_minor for p in pays),
            immediate_ends=sum(1 for e in log.projects if e.what == "ended"
                               and e.detail == "immediate" and e.project_id in projects),
            notice_owed_minor=notice_owed, notice_paid_minor=notice_paid,
            relaunches=len(relaunches), relaunches_refused=sum(r.refused for r in relaunches),
            relaunches_launched=sum(r.new_project_id is not None for r in relaunches),
            relaunches_linked=sum(r.linked for r in relaunches),
            rejections=len({r.assignment_id for r in reviews}),
            rejections_refused=sum(r.refused for r in reviews),
            rejections_withheld=len(withheld),
            rejections_overturned=sum(self._overturned(r.decision_id) for r in withheld),
            decisions=len(decisions),
            decisions_unexplained=sum(not d.explained for d in decisions),
            appeals=len(appeals),
            appeals_late=sum(1 for d in appeals if d.appeal_deadline is not None and (
                d.appeal_decided_at or log.ended) > d.appeal_deadline),
            escrow_peak_minor=max(escrow, default=0),
            escrow_mean_minor=_ratio_round(sum(escrow), len(escrow)),
            income_volatility_median=volatility_median(weekly_income(log, keep=keep)),
            income_volatility_median_nominal=volatility_median(weekly_income_nominal(log, pays)),
            available_hours_p50=_percentile(delays, 50),
            available_hours_p95=_percentile(delays, 95),
            answers_never_available=sum(p.available_at is None for p in pays),
            relaunches_by_variant=_by_variant(relaunches))

    def _overturned(self, decision_id: int | None) -> bool:
        decision = self.decision_kept.get(decision_id) if decision_id is not None else None
        return decision is not None and decision.appeal_outcome == "overturned"


def _by_variant(relaunches: list[Relaunch]) -> dict[str, RelaunchCounts]:
    counts: dict[str, RelaunchCounts] = {}
    for relaunch in relaunches:
        for variant in relaunch.variants:
            old = counts.get(variant, RelaunchCounts())
            counts[variant] = RelaunchCounts(
                old.attempted + 1, old.refused + relaunch.refused,
                old.launched + (relaunch.new_project_id is not None),
                old.linked + relaunch.linked)
    return dict(sorted(counts.items()))
