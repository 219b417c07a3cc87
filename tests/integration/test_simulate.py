"""`fairlabel simulate`: every built-in adversary is contained by the platform's own rules.

One short run (45 simulated days, 40 workers, one account of each strategy and six
relaunchers, each starting at another hiding variant) on a real SQLite database; each test
reads its strategy's figures from the report's ``figures``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.simulate import RunLog, simulate
from fairlabel.simulate.answers import answer_pay
from fairlabel.simulate.figures import StrategyFigures
from fairlabel.simulate.report import figures
from fairlabel.simulate.spec import parse
from fairlabel.simulate.strategies.builtin import Rejecter
from fairlabel.simulate.strategies.relauncher import ROTATION
from tests.support.databases import sqlite_copy

pytestmark = pytest.mark.slow

SPEC = ("honest=1,underpricer=1,silent_cutter=1,abrupt_ender=1,relauncher=6,rejecter=1,"
        "underfunder=1")
ADVERSARIES = ("underpricer", "silent_cutter", "abrupt_ender", "relauncher", "rejecter",
               "underfunder")


@pytest.fixture(scope="module")
def run(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunLog]:
    directory = tmp_path_factory.mktemp("simulate")
    container = bootstrap(Settings(database_url=sqlite_copy(sqlite_template, directory),
                                   sweep_seconds=0, consensus_process=False,
                                   media_dir=str(directory / "media")))
    try:
        yield simulate(container.db, container.charter, days=45, workers=40,
                       requesters=parse(SPEC), seed=7, refit=container.consensus_refit)
    finally:
        container.close()


def _of(log: RunLog, strategy: str) -> StrategyFigures:
    return figures(log).by_strategy[strategy]


@pytest.mark.parametrize("strategy", ADVERSARIES)
def test_no_worker_hour_is_paid_below_the_floor(run: RunLog, strategy: str) -> None:
    found = _of(run, strategy)
    assert found.answers > 0  # the strategy had work done: the figure means something
    assert found.hours_below_floor == 0


@pytest.mark.parametrize("strategy", ADVERSARIES)
def test_every_decision_is_explained(run: RunLog, strategy: str) -> None:
    assert _of(run, strategy).decisions_unexplained == 0


def test_no_appeal_is_decided_after_its_deadline(run: RunLog) -> None:
    """A moderator decides, or the platform overturns the appeal for the worker at its
    deadline (charter rule 6): none is decided late."""
    found = figures(run).overall
    assert found.appeals > 0
    assert found.appeals_late == 0


def test_the_ledger_verifies_at_the_end(run: RunLog) -> None:
    assert run.ledger_verified
    assert run.statements and any(run.statements.values())


def test_an_underpriced_project_is_topped_up_to_the_floor(run: RunLog) -> None:
    found = _of(run, "underpricer")
    assert found.hours_below_floor_nominal > 0  # its prices alone were below the floor
    assert found.hours_below_floor == 0


def test_an_abrupt_end_pays_the_notice_in_full(run: RunLog) -> None:
    found = _of(run, "abrupt_ender")
    assert found.immediate_ends >= 1
    assert found.notice_owed_minor > 0
    assert found.notice_paid_minor >= found.notice_owed_minor


def test_a_silent_cut_waits_for_its_notice(run: RunLog) -> None:
    cuts = [e for e in run.projects if e.what == "price_changed"
            and e.requester_id in _accounts(run, "silent_cutter")]
    assert cuts  # it cut
    assert _of(run, "silent_cutter").hours_below_floor == 0


def test_every_relaunch_variant_is_refused_or_linked(run: RunLog) -> None:
    found = _of(run, "relauncher")
    tried = {v for r in run.relaunches for v in r.variants}
    hidden = {v for _, variants in ROTATION for v in variants}
    assert hidden | {"pause_instead_of_end", "second_account"} <= tried
    assert found.relaunches >= len(ROTATION)
    unlinked = [r for r in run.relaunches if not r.refused and not r.linked]
    assert not unlinked
    assert found.relaunches_refused + found.relaunches_linked == found.relaunches
    assert found.notice_paid_minor >= found.notice_owed_minor


def test_rejections_without_evidence_pay_or_are_overturned(run: RunLog) -> None:
    found = _of(run, "rejecter")
    assert found.rejections > 0
    assert found.rejections_refused > 0  # the platform refused to withhold without evidence
    withheld_right = [r for r in run.reviews if r.withheld and not r.refused
                      and r.requester_id in _accounts(run, "rejecter")
                      and _right(run, r.assignment_id)]
    assert not withheld_right


def test_an_underfunded_project_never_has_work_done_on_credit(run: RunLog) -> None:
    found = _of(run, "underfunder")
    assert found.answers > 0
    assert found.hours_below_floor == 0
    assert found.paid_minor > 0


def _accounts(log: RunLog, strategy: str) -> set[int]:
    return {r.user_id for r in log.requesters if r.strategy == strategy}


def _right(log: RunLog, assignment_id: int) -> bool:
    return any(a.correct for a in log.answers if a.assignment_id == assignment_id)


class BusyRejecter(Rejecter):
    """The built-in rejecter with more gold in its projects (30 gold messages, 40 new ones
    every 2 days), so that its workers answer the gold minimum within a short run."""

    BATCH: ClassVar[int] = 40
    GOLD: ClassVar[int] = 30
    EVERY: ClassVar[int] = 2


def test_a_strict_gold_threshold_does_not_let_right_answers_be_withheld(
        sqlite_template: Path, tmp_path: Path) -> None:
    """Charter rule 6 (withhold_evidence@2): a low gold accuracy withholds pay only for an
    answer shown wrong, so the rejecter's strict 90 % threshold withholds no right answer."""
    container = bootstrap(Settings(database_url=sqlite_copy(sqlite_template, tmp_path),
                                   sweep_seconds=0, consensus_process=False,
                                   media_dir=str(tmp_path / "media")))
    try:
        log = simulate(container.db, container.charter, days=20, workers=25,
                       requesters=[(BusyRejecter, 2)], seed=7, refit=container.consensus_refit)
    finally:
        container.close()
    kinds = {w.user_id: w.kind for w in log.workers}
    appealed = {d.decision_id for d in log.decisions if d.appealed_at is not None}
    withheld = {r.assignment_id for r in log.reviews
                if r.withheld and not r.refused and r.decision_id not in appealed}
    lost = [p for p in answer_pay(log) if p.below_floor and p.answer.correct
            and p.answer.assignment_id in withheld and kinds[p.answer.worker_id] != "spammer"]
    assert log.answers
    assert not lost  # right answers of workers in good faith, withheld and not appealed
    assert _of(log, "rejecter").hours_below_floor == 0
